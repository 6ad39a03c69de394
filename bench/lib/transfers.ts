// Single requests from the harness: one large body each way, counted as it streams, and a probe.
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'

export interface Transfer {
  readonly status: number
  readonly bytes: number
  readonly seconds: number
  readonly body: string
}

/**
 * GET a large body, counting and discarding it. A bare socket reading into one reused 1 MiB
 * buffer: the client must not be what limits the transfer.
 */
export async function download (url: string): Promise<Transfer> {
  const { hostname, port, pathname } = new URL(url)
  return await new Promise((resolve, reject) => {
    const t = performance.now()
    let head = ''
    let status = 0
    let length = -1
    let bytes = 0
    const finish = (): void => {
      socket.destroy()
      resolve({ status, bytes, seconds: (performance.now() - t) / 1000, body: '' })
    }
    const socket = connect({
      host: hostname,
      port: Number(port),
      onread: {
        buffer: Buffer.allocUnsafe(1024 * 1024),
        callback: (n: number, buf: Uint8Array): boolean => {
          if (length < 0) {
            head += Buffer.from(buf.buffer, buf.byteOffset, n).toString('latin1')
            const end = head.indexOf('\r\n\r\n')
            if (end < 0) return true
            status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0)
            const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head.slice(0, end))
            if (cl === null) {
              socket.destroy()
              reject(new Error(`download ${url}: status ${status}, no Content-Length`))
              return false
            }
            length = Number(cl[1])
            bytes = head.length - end - 4
          } else {
            bytes += n
          }
          if (bytes >= length) finish()
          return true
        }
      }
    })
    socket.once('error', reject)
    socket.once('close', () => { if (bytes < length || length < 0) reject(new Error(`download ${url}: connection closed after ${bytes} bytes`)) })
    socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`)
  })
}

const UPLOAD_CHUNK = Buffer.alloc(1024 * 1024, 'bench.upload.metric 42 1700000000 source=bench-host env="bench"\n')

/** POST `bytes` (a multiple of 1 MiB) of line-protocol-looking text with a Content-Length, honouring backpressure. */
export async function upload (url: string, bytes: number): Promise<Transfer> {
  return await new Promise((resolve, reject) => {
    const t = performance.now()
    const req = httpRequest(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'text/plain', 'content-length': bytes }
    }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => { body += d })
      res.once('end', () => { resolve({ status: res.statusCode ?? 0, bytes: sent, seconds: (performance.now() - t) / 1000, body }) })
      res.once('error', reject)
    })
    req.once('error', reject)
    let sent = 0
    const pump = (): void => {
      while (sent < bytes) {
        sent += UPLOAD_CHUNK.length
        if (!req.write(UPLOAD_CHUNK)) {
          req.once('drain', pump)
          return
        }
      }
      req.end()
    }
    pump()
  })
}

/** One small GET; returns the status and headers (used to check each proxy really adds the token). */
export async function probe (url: string): Promise<{ status: number, headers: Record<string, string | string[] | undefined> }> {
  return await new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      res.resume()
      res.once('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers }) })
    })
    req.once('error', reject)
    req.setTimeout(2000, () => { req.destroy(new Error('timeout')) })
    req.end()
  })
}
