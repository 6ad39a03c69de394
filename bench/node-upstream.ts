// Fallback upstream when nginx is not installed: the same routes as the nginx upstream
// (lib/nginx.ts), in plain node:http. Usage: node node-upstream.js PORT BIG_BYTES
import { createServer } from 'node:http'
import { SMALL_JSON } from './lib/nginx.js'

const port = Number(process.argv[2])
const bigBytes = Number(process.argv[3] ?? 256 * 1024 * 1024)
const CHUNK = Buffer.alloc(1024 * 1024, 'bench.metric 1 source=bench\n')
const small = Buffer.from(SMALL_JSON)

const server = createServer((req, res) => {
  const url = req.url ?? '/'
  if (url === '/report') {
    let received = 0
    req.on('data', (chunk: Buffer) => { received += chunk.length })
    req.on('end', () => {
      res.writeHead(202, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ status: 'accepted', received }))
    })
    return
  }
  req.resume()
  if (url === '/api/v2/bench/big') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bigBytes })
    let sent = 0
    const pump = (): void => {
      while (sent < bigBytes) {
        const n = Math.min(CHUNK.length, bigBytes - sent)
        sent += n
        if (!res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
          res.once('drain', pump)
          return
        }
      }
      res.end()
    }
    pump()
    return
  }
  if (url === '/api/v2/bench/echo') {
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-echo-authorization': req.headers.authorization ?? '',
      'x-echo-host': req.headers.host ?? ''
    })
    res.end('{}')
    return
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': small.length })
  res.end(small)
})
server.keepAliveTimeout = 120_000
server.listen(port, '127.0.0.1')
process.on('SIGTERM', () => { server.closeAllConnections(); server.close(() => process.exit(0)) })
