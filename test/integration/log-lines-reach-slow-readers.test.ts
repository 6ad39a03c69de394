// Log lines reach a slow reader whole and in order: stdout can be a non-blocking pipe that fills up.
import { spawn, execFileSync } from 'node:child_process'
import { closeSync, constants, mkdtempSync, openSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { BatchedWriter } from '../../src/observe/log-destination.js'

t.test('through a full non-blocking pipe, every line arrives whole and in order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wap-pipe-'))
  const fifo = join(dir, 'stdout.fifo')
  execFileSync('mkfifo', [fifo])
  // Opened read-write so that it opens at once, before any reader; non-blocking like a shared stdout.
  const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK)
  // A reader that holds the pipe open at once (and says so) but starts reading late: the writer
  // meets a full pipe (EAGAIN) and partial writes meanwhile. It writes to a file, not back to us:
  // this thread is blocked while the pipe is full.
  const out = join(dir, 'received.txt')
  const reader = spawn('sh', ['-c', 'exec 3<"$0"; echo open; sleep 0.2; exec cat <&3 > "$1"', fifo, out], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => reader.on('close', () => { resolve() }))
  await new Promise<void>((resolve) => reader.stdout.once('data', () => { resolve() }))

  const writer = new BatchedWriter(fd)
  const lines: string[] = []
  for (let i = 0; i < 20000; i++) lines.push(`{"n":${i},"msg":"${i % 3 === 0 ? 'mesure réussie ✓' : 'plain ascii line'}"}\n`) // ~0.8 MiB, some of it multi-byte
  for (const line of lines) writer.write(line)
  writer.flushSync() // returns once the pipe took everything
  closeSync(fd) // the last writer gone: the reader sees the end
  await exited

  const received = readFileSync(out, 'utf8')
  t.equal(received.length, lines.join('').length, 'nothing dropped')
  t.ok(received === lines.join(''), 'every line whole, in order')
  t.ok(Buffer.byteLength(lines.join('')) > 4 * 65536, 'the batch was several times what a pipe holds')
})
