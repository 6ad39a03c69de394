// Instructions per request, counted by valgrind's callgrind. Unlike time, the count hardly depends
// on what else the machine is doing: repeat runs agree within 1–2%, where wall-clock rounds on a
// shared VM vary by ±10%. So a hot-path change worth a few percent shows here before it shows in
// req/s. Only the process's main thread is counted (JavaScript, the event loop, the scavenger's
// share), not V8's background compiler and GC threads, whose work lands at random moments.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Pool } from 'undici'

/** valgrind's arguments to run a program that counts nothing until `count(pid, true)`. */
export function callgrindArgs (dir: string): string[] {
  return ['--tool=callgrind', '--separate-threads=yes', '--instr-atstart=no', `--callgrind-out-file=${join(dir, 'callgrind.out')}`]
}

export function count (pid: number, on: boolean): void {
  execFileSync('callgrind_control', ['-i', on ? 'on' : 'off', String(pid)], { stdio: 'ignore' })
}

/** The instructions of the main thread (file suffix -01) in every dump written to `dir`; read after the process exited. */
export function mainThreadInstructions (dir: string): number {
  let total = 0
  for (const file of readdirSync(dir).filter((f) => f.endsWith('-01'))) {
    const text = readFileSync(join(dir, file), 'utf8')
    total += Number(/^totals: (\d+)/m.exec(text)?.[1] ?? 0) // the exit dump: everything counted since counting began
  }
  return total
}

/** `n` GETs of `path`, `concurrency` at a time over keep-alive connections. */
export async function requests (origin: string, path: string, n: number, concurrency = 8): Promise<void> {
  const pool = new Pool(origin, { connections: concurrency })
  let left = n
  const worker = async (): Promise<void> => {
    while (left > 0) {
      left--
      const res = await pool.request({ path, method: 'GET' })
      await res.body.dump()
      if (res.statusCode !== 200) throw new Error(`${origin}${path} answered ${res.statusCode}`)
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, worker))
  } finally {
    await pool.close()
  }
}
