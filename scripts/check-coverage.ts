// Fails the test run when coverage of src/ drops below the agreed floor. tap 21 only knows
// "100% or nothing"; we hold a high bar with honest tests rather than tests that touch lines.
// Test fixtures and scripts are left out: they are not the product.
import { readFileSync } from 'node:fs'
import { join, sep } from 'node:path'

const FLOOR = { lines: 95, branches: 87, functions: 97 } as const
type Kind = keyof typeof FLOOR

type Counts = Record<Kind, { total: number, covered: number }>

const summary = JSON.parse(readFileSync('.tap/report/coverage-summary.json', 'utf8')) as Record<string, Counts>
// This checkout's src/ only: node_modules may be a symlink to another tree, whose packages' own
// src/ folders would otherwise count.
const SRC = join(process.cwd(), 'src') + sep
const product = Object.entries(summary).filter(([file]) => file.startsWith(SRC))
let short = false
for (const kind of Object.keys(FLOOR) as Kind[]) {
  const total = product.reduce((n, [, c]) => n + c[kind].total, 0)
  const covered = product.reduce((n, [, c]) => n + c[kind].covered, 0)
  const pct = total === 0 ? 0 : Math.round((covered / total) * 10_000) / 100
  process.stdout.write(`coverage of src/ ${kind}: ${pct}% (floor ${FLOOR[kind]}%)\n`)
  if (pct < FLOOR[kind]) short = true
}
if (short) {
  process.stdout.write('coverage of src/ is below the floor: add tests for the behaviour that is not covered\n')
  process.exit(1)
}
