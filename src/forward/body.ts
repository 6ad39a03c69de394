// Request bodies on their way to the instance: small ones are buffered, so a request refused
// with 401 can be sent again; larger or chunked ones stream, and a chunked one is held to
// BODY_LIMIT as it passes (Node enforces a declared Content-Length itself).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { BodyTimeout, BodyTooLarge, ClientClosed } from '../failures.js'
import { watchBody, type BodyPace, type SlowBody } from './body-pace.js'

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

/** The slow-client limits a body is read under. */
export interface BodyWatch {
  readonly pace: BodyPace
  /** a streamed body stalled or trickled: part of it may have reached the instance */
  readonly streamedTooSlow: (reason: SlowBody) => void
}

/** The body to send upstream; `counted` learns every chunk's size as it is read. A small body
 * that stalls rejects with BodyTimeout; a streamed one is watched while it flows. */
export async function bodyOf (req: IncomingMessage, length: number | undefined, limit: number, counted: ((bytes: number) => void) | undefined, watch: BodyWatch): Promise<Body> {
  // Paused, so the listener below starts no flow: it waits for whoever reads the body (the
  // reader below, or undici once a connection is ready).
  req.pause()
  if (counted !== undefined) req.on('data', (chunk: Buffer) => { counted(chunk.length) })
  const chunked = req.headers['transfer-encoding'] !== undefined
  if (!chunked && length !== undefined && length <= REPLAYABLE_BODY_BYTES) return await buffered(req, watch.pace)
  const body = chunked && limit > 0 ? Readable.from(limited(req, limit), { objectMode: false }) : req
  watchBody(req, watch.pace, body, watch.streamedTooSlow)
  return body
}

/** Reads a small body whole; rejects with BodyTimeout if it stalls, ClientClosed if the client leaves. */
async function buffered (req: IncomingMessage, pace: BodyPace): Promise<Buffer> {
  return await new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const collect = (chunk: Buffer): void => { chunks.push(chunk) }
    req.on('data', collect)
    req.once('end', () => { resolve(Buffer.concat(chunks)) })
    req.once('close', () => { reject(new ClientClosed()) }) // after 'end', a no-op
    watchBody(req, pace, 'reading', (reason) => {
      req.off('data', collect)
      req.pause()
      reject(new BodyTimeout(reason))
    })
    req.resume()
  })
}

async function * limited (req: IncomingMessage, limit: number): AsyncIterable<Buffer> {
  let seen = 0
  for await (const chunk of req) {
    seen += (chunk as Buffer).length
    if (seen > limit) throw new BodyTooLarge(limit)
    yield chunk as Buffer
  }
}
