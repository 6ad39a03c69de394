// Fails the test run when coverage of src/ drops below the agreed floor. tap 21 only knows
// "100% or nothing"; we hold a high bar with honest tests rather than tests that touch lines.
import { readFileSync } from 'node:fs'

const FLOOR = { lines: 90, branches: 85, functions: 90 } as const

interface Summary { total: Record<keyof typeof FLOOR, { pct: number }> }

const summary = JSON.parse(readFileSync('.tap/report/coverage-summary.json', 'utf8')) as Summary
const short = (Object.keys(FLOOR) as Array<keyof typeof FLOOR>).filter((k) => summary.total[k].pct < FLOOR[k])
for (const k of Object.keys(FLOOR) as Array<keyof typeof FLOOR>) {
  process.stdout.write(`coverage ${k}: ${summary.total[k].pct}% (floor ${FLOOR[k]}%)\n`)
}
if (short.length > 0) {
  process.stdout.write(`coverage below the floor for ${short.join(', ')}: add tests for the behaviour that is not covered\n`)
  process.exit(1)
}
