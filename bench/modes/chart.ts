// --chart: redraw bench/results/chart.svg from bench/results/latest.json, without measuring.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { RESULTS, type Context } from '../lib/context.js'
import { chartOf, type ChartInput } from '../lib/result-chart.js'

export async function chart (ctx: Context): Promise<void> {
  writeFileSync(join(RESULTS, 'chart.svg'), chartOf(JSON.parse(readFileSync(join(RESULTS, 'latest.json'), 'utf8')) as ChartInput))
  ctx.progress('redrew bench/results/chart.svg from bench/results/latest.json')
}
