// The naive reference: @fastify/http-proxy as its README shows it, adding the Authorization
// header, no tuning, no logging. Usage: UPSTREAM=http://127.0.0.1:P TOKEN=… PORT=… node naive-proxy.js
import proxy from '@fastify/http-proxy'
import Fastify from 'fastify'

const upstream = process.env.UPSTREAM as string
const authorization = `Bearer ${process.env.TOKEN ?? ''}`
const app = Fastify({ logger: false })
for (const prefix of ['/api/v2', '/report']) {
  await app.register(proxy, {
    upstream,
    prefix,
    rewritePrefix: prefix,
    replyOptions: { rewriteRequestHeaders: (_req, headers) => ({ ...headers, authorization }) }
  })
}
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)) })
