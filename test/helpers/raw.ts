// Raw HTTP over a socket, for requests no well-behaved client library will send.
import { connect } from 'node:net'

/** Sends `text` as is; resolves with the first response once it is complete (by its
 * Content-Length, or the connection closing), as latin1 text. */
export async function rawRequest (port: number, text: string | Buffer): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = Buffer.alloc(0)
    const done = (): void => {
      socket.destroy()
      resolve(received.toString('latin1'))
    }
    socket.on('data', (c: Buffer) => {
      received = Buffer.concat([received, c])
      if (responseComplete(received)) done()
    })
    socket.on('error', (err) => { received.length > 0 ? done() : reject(err) })
    socket.on('close', done)
    socket.write(text)
  })
}

function responseComplete (buf: Buffer): boolean {
  const end = buf.indexOf('\r\n\r\n')
  if (end < 0) return false
  const head = buf.subarray(0, end).toString('latin1')
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)
  return length !== null && buf.length >= end + 4 + Number(length[1])
}

/** Sends `text` and collects everything the server writes until it closes the connection. */
export async function rawConversation (port: number, text: string | Buffer): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', (err) => { chunks.length > 0 ? resolve(Buffer.concat(chunks).toString('latin1')) : reject(err) })
    socket.on('close', () => { resolve(Buffer.concat(chunks).toString('latin1')) })
    socket.write(text)
  })
}

export type Outcome = 'answered' | 'closed' | 'idle' | 'sent'

/** Sends one request on its own connection; resolves with all the proxy wrote and how it ended: a
 * complete final answer, the connection closed, nothing more for `idleMs`, or (for a request built
 * to stop short) sent and let go. */
export async function exchange (port: number, c: { readonly bytes: Buffer, readonly head: boolean, readonly truncated: boolean }, idleMs: number): Promise<{ outcome: Outcome, answer: string }> {
  return await new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let got = Buffer.alloc(0)
    let timer: NodeJS.Timeout | undefined
    let settled = false
    const finish = (outcome: Outcome): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ outcome, answer: got.toString('latin1') })
    }
    const idle = (): void => {
      clearTimeout(timer)
      timer = setTimeout(() => { finish('idle') }, idleMs)
    }
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk])
      if (finalAnswerComplete(got, c.head)) finish('answered')
      else idle()
    })
    socket.on('error', () => {}) // a reset is an answer too; 'close' follows
    socket.on('close', () => { finish('closed') })
    socket.write(c.bytes, () => { c.truncated ? finish('sent') : idle() })
  })
}

/** Is a complete final (non-1xx) response in `buf`? Interim 100 Continue answers are skipped. */
function finalAnswerComplete (buf: Buffer, head: boolean): boolean {
  let offset = 0
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', offset)
    if (end < 0) return false
    const headText = buf.subarray(offset, end).toString('latin1')
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(headText)?.[1] ?? 0)
    if (status >= 100 && status < 200) {
      offset = end + 4
      continue
    }
    if (head || status === 204 || status === 304) return true
    const length = /\r\ncontent-length: *(\d+)/i.exec(headText)
    if (length !== null) return buf.length >= end + 4 + Number(length[1])
    return /\r\ntransfer-encoding: *chunked/i.test(headText) && buf.subarray(end + 4).includes('0\r\n\r\n')
  }
}
