// Request bodies on their way to the instance: small ones are buffered, so a request refused
// with 401 can be sent again; larger or chunked ones stream, and a chunked one is held to
// BODY_LIMIT as it passes (Node enforces a declared Content-Length itself).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { BodyTooLarge } from '../errors.js'

/** Bodies up to this size are buffered so a request refused with 401 can be replayed with a new token. */
export const REPLAYABLE_BODY_BYTES = 1024 * 1024

/** A buffered body (replayable), a streamed one, or none. */
export type Body = Buffer | Readable | null

/** Whether a body follows the headers: chunked, or a Content-Length above zero. */
export function hasRequestBody (headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length']
  return headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0)
}

/** Whether this body can be sent twice. */
export function replayable (body: Body): boolean {
  return body === null || Buffer.isBuffer(body)
}

/** The body to send upstream; `counted` learns every chunk's size as it is read. */
export async function bodyOf (req: IncomingMessage, length: number | undefined, limit: number, counted: ((bytes: number) => void) | undefined): Promise<Body> {
  // Paused, so the listener below starts no flow: it waits for whoever reads the body (the loop
  // below, or undici once a connection is ready).
  req.pause()
  if (counted !== undefined) req.on('data', (chunk: Buffer) => { counted(chunk.length) })
  const chunked = req.headers['transfer-encoding'] !== undefined
  if (!chunked && length !== undefined && length <= REPLAYABLE_BODY_BYTES) {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
  }
  return chunked && limit > 0 ? Readable.from(limited(req, limit), { objectMode: false }) : req
}

async function * limited (req: IncomingMessage, limit: number): AsyncIterable<Buffer> {
  let seen = 0
  for await (const chunk of req) {
    seen += (chunk as Buffer).length
    if (seen > limit) throw new BodyTooLarge(limit)
    yield chunk as Buffer
  }
}
