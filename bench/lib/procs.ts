// Child processes of the benchmark: spawned pinned to a core and always killed, even when the
// harness fails half-way (their measurements through /proc are in proc-stats.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, createWriteStream, existsSync, openSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'

export interface Proc {
  readonly name: string
  readonly child: ChildProcess
  readonly pid: number
  readonly spawnedAt: number
  readonly exited: Promise<number | null>
}

const live = new Set<Proc>()

export const hasTaskset = spawnSync('taskset', ['--version']).status === 0

/** Cores to pin to: the proxy under test gets core 0, load and upstream core 1 (only with 2+ cores and taskset). */
export function pinning (): { proxy: number | undefined, load: number | undefined } {
  const cores = Number(spawnSync('nproc').stdout?.toString().trim() ?? '1')
  return hasTaskset && cores >= 2 ? { proxy: 0, load: 1 } : { proxy: undefined, load: undefined }
}

/** Moves this process (the load generator side) to a core. */
export function pinSelf (core: number | undefined): void {
  if (core !== undefined) spawnSync('taskset', ['-a', '-cp', String(core), String(process.pid)])
}

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv
  readonly core?: number | undefined
  /** file that receives stdout and stderr; discarded when absent */
  readonly output?: string
  /** runs the command inside a memory cgroup (bench/lib/memory-limit.ts) */
  readonly wrap?: (command: string, args: readonly string[]) => [string, string[]]
}

export function start (name: string, command: string, args: readonly string[], opts: StartOptions = {}): Proc {
  // Inside a memory cgroup the output goes through a pipe this process writes to the file, as a
  // container runtime does: written by the child itself, the file's page cache would be charged to
  // its cgroup (~100 MiB per 45 s of logged small GETs) and push it to its limit.
  const pipedTo = opts.wrap === undefined ? undefined : opts.output
  const fd = opts.output === undefined ? 'ignore' : pipedTo !== undefined ? 'pipe' : openSync(opts.output, 'a')
  const [inner, innerArgs] = opts.wrap?.(command, args) ?? [command, [...args]]
  const [cmd, argv] = opts.core === undefined ? [inner, innerArgs] : ['taskset', ['-c', String(opts.core), inner, ...innerArgs]]
  const spawnedAt = performance.now()
  const child = spawn(cmd, argv, { env: opts.env ?? process.env, stdio: ['ignore', fd, fd] })
  if (typeof fd === 'number') closeSync(fd)
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`)
  const written = pipedTo === undefined ? Promise.resolve() : drainTo(child, pipedTo)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { void written.then(() => resolve(code)) }))
  const proc: Proc = { name, child, pid: child.pid, spawnedAt, exited }
  live.add(proc)
  void exited.then(() => live.delete(proc))
  return proc
}

/** Appends the child's stdout and stderr to `file`; resolves once both have closed and the file is written. */
function drainTo (child: ChildProcess, file: string): Promise<void> {
  const out = createWriteStream(file, { flags: 'a' })
  child.stdout?.pipe(out, { end: false })
  child.stderr?.pipe(out, { end: false })
  return new Promise((resolve) => child.once('close', () => out.end(resolve)))
}

/** SIGTERM, then SIGKILL after `graceMs`; the process's own children (nginx workers) go too. */
export async function stop (proc: Proc, graceMs = 5000): Promise<void> {
  if (!live.has(proc)) return
  const kids = descendants(proc.pid)
  proc.child.kill('SIGTERM')
  const timer = setTimeout(() => { killHard(proc.pid, kids) }, graceMs)
  await proc.exited
  clearTimeout(timer)
  for (const pid of kids) tryKill(pid, 'SIGKILL')
}

function killHard (pid: number, kids: readonly number[]): void {
  // the parent first: an nginx master that sees a worker die forks a new one
  const all = [...kids, ...descendants(pid)]
  tryKill(pid, 'SIGKILL')
  for (const k of all) tryKill(k, 'SIGKILL')
}

function tryKill (pid: number, signal: NodeJS.Signals): void {
  try { process.kill(pid, signal) } catch { /* already gone */ }
}

/** Last resort on exit: nothing the harness started survives it. */
export function killAll (): void {
  for (const proc of live) killHard(proc.pid, descendants(proc.pid))
  live.clear()
}

export function descendants (pid: number): number[] {
  const out: number[] = []
  const file = `/proc/${pid}/task/${pid}/children`
  if (!existsSync(file)) return out
  let text = ''
  try { text = readFileSync(file, 'utf8') } catch { return out }
  for (const p of text.trim().split(/\s+/).filter(Boolean).map(Number)) out.push(p, ...descendants(p))
  return out
}

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => { resolve(port) })
    })
  })
}

export function which (command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin'])) {
    const path = `${dir}/${command}`
    if (dir !== '' && existsSync(path)) return path
  }
  return undefined
}

export const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** Stops everything still running, politely first (nginx's master then reaps its own workers). */
export async function stopAll (graceMs = 3000): Promise<void> {
  await Promise.all([...live].map(async (proc) => { await stop(proc, graceMs) }))
}
