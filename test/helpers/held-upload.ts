// An upload that holds its connection to the instance: 2 MiB declared, all but the last byte
// sent, until `finish` sends it and resolves with the proxy's answer.
import { connect, type Socket } from 'node:net'

export const MiB = 1024 * 1024

/** An upload of 2 MiB whose last byte is held back: it keeps its upload connection until `finish`. */
export function heldUpload (port: number): { socket: Socket, finish: () => Promise<string> } {
  const socket = connect(port, '127.0.0.1')
  let answer = ''
  const answered = new Promise<void>((resolve) => {
    socket.on('data', (c: Buffer) => {
      answer += c.toString('latin1')
      if (answer.includes('\r\n\r\n')) resolve()
    })
  })
  socket.on('error', () => {})
  socket.write(`POST /report?f=wavefront HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${2 * MiB}\r\n\r\n`)
  socket.write(Buffer.alloc(2 * MiB - 1, 'a'))
  const finish = async (): Promise<string> => {
    socket.write('a')
    await answered
    return answer
  }
  return { socket, finish }
}
