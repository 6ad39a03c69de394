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
