// Runs the real built binary (dist/src/cli.js) as a child process, as users do.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url))

export interface RunningBinary {
  readonly child: ChildProcess
  readonly url: string
  readonly stdout: string[]
  readonly stderr: string[]
  /** resolves with the exit code once the process has exited */
  readonly exited: Promise<number | null>
}

interface Teardown { teardown: (fn: () => Promise<void> | void) => void }

/** Only the environment given (plus PATH): nothing leaks in from the test runner's own. */
export async function startBinary (t: Teardown, env: Record<string, string>, args: string[] = [], bin = CLI, nodeFlags: string[] = []): Promise<RunningBinary> {
  const child = spawn(process.execPath, [...nodeFlags, bin, ...args], { env: { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const stdout: string[] = []
  const stderr: string[] = []
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  collectLines(child.stderr, stderr)
  const url = await new Promise<string>((resolve, reject) => {
    collectLines(child.stdout, stdout, (line) => {
      const record = parse(line)
      if (record?.event === 'started') resolve(String(record.listen))
    })
    void exited.then((code) => reject(new Error(`exited with ${String(code)} before listening: ${stderr.join('\n')}`)))
  })
  return { child, url, stdout, stderr, exited }
}

/** Runs the binary to completion: exit code and output. */
export async function runBinary (env: Record<string, string>, args: string[] = [], bin = CLI): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (c: Buffer) => out.push(c))
  child.stderr.on('data', (c: Buffer) => err.push(c))
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }
}

/** The next log record the binary writes that matches. */
export async function nextLogRecord (bin: RunningBinary, match: (record: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const find = (): Record<string, unknown> | undefined => bin.stdout.map(parse).find((r) => r !== undefined && match(r))
  return find() ?? await new Promise((resolve) => {
    const look = (): void => {
      const found = find()
      if (found === undefined) return
      bin.child.stdout?.off('data', look)
      resolve(found)
    }
    bin.child.stdout?.on('data', look) // registered after the helper's own listener, so its lines are in
  })
}

export function parse (line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>
  } catch {
    return undefined
  }
}

function collectLines (stream: NodeJS.ReadableStream | null, into: string[], onLine?: (line: string) => void): void {
  let rest = ''
  stream?.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n')
    rest = lines.pop() ?? ''
    for (const line of lines) {
      into.push(line)
      onLine?.(line)
    }
  })
}
