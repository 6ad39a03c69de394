// Runs the proxy as a real process, the way a user or a container runtime does, and knows when
// it listens from its JSON start line on stdout (a signal, not a sleep).
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'

export interface ProxyProcess {
  /** where to send requests: the listen address with 0.0.0.0 replaced by 127.0.0.1 */
  readonly url: string
  /** the start line's fields */
  readonly started: Record<string, unknown>
  /** every stdout line so far */
  readonly lines: string[]
  /** SIGTERM, then the exit code once the process has drained and exited */
  stop: () => Promise<number | null>
}

interface Teardown { teardown: (fn: () => Promise<void> | void) => void }

/** Only what the process is documented to read, plus PATH for a `#!/usr/bin/env node` launcher. */
export function baseEnv (): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin' }
}

export async function startProxyProcess (t: Teardown, command: readonly string[], env: Record<string, string>, cwd?: string): Promise<ProxyProcess> {
  const [file, ...args] = command as [string, ...string[]]
  const child = spawn(file, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
  })
  const lines: string[] = []
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8') })
  const started = await new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      lines.push(line)
      const record = parseJson(line)
      if (record?.event === 'started') resolve(record)
    })
    void exited.then(([code, signal]) => {
      reject(new Error(`the proxy exited (${String(code ?? signal)}) before listening:\n${stderr}${lines.join('\n')}`))
    })
  })
  const listen = new URL(String(started.listen))
  if (listen.hostname === '0.0.0.0') listen.hostname = '127.0.0.1'
  return { url: listen.origin, started, lines, stop: async () => await stop(child, exited) }
}

async function stop (child: ChildProcess, exited: Promise<[number | null, NodeJS.Signals | null]>): Promise<number | null> {
  child.kill('SIGTERM')
  const [code] = await exited
  return code
}

function parseJson (line: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(line) as unknown
    return typeof value === 'object' && value !== null ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

/** Runs a command to completion; rejects with its output when it fails. */
export async function run (command: readonly string[], opts: { cwd?: string, env?: Record<string, string> } = {}): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const [file, ...args] = command as [string, ...string[]]
  const child = spawn(file, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8') })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8') })
  const [code] = await once(child, 'close') as [number | null]
  return { code, stdout, stderr }
}

export async function runOk (command: readonly string[], opts: { cwd?: string, env?: Record<string, string> } = {}): Promise<string> {
  const result = await run(command, opts)
  if (result.code !== 0) throw new Error(`${command.join(' ')} exited ${String(result.code)}:\n${result.stderr}${result.stdout}`)
  return result.stdout
}
