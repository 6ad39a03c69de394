// A small HTTP client for tests: real sockets, full control of headers, body as text.
import { request as undiciRequest, Agent } from 'undici'

export interface Answer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly text: string
  json: () => unknown
}

// A fresh agent per test file keeps connections from leaking between tests.
export const agent = new Agent({ keepAliveTimeout: 1000 })

export async function call (url: string, init: { method?: string, headers?: Record<string, string>, body?: string | Buffer } = {}): Promise<Answer> {
  const res = await undiciRequest(url, {
    dispatcher: agent,
    method: (init.method ?? 'GET') as 'GET',
    headers: init.headers,
    body: init.body
  })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) as unknown }
}

/** The Wavefront envelope's message, or fails loudly if the body is not an envelope. */
export function envelopeMessage (answer: Answer): { code: number, message: string, result: string } {
  const body = answer.json() as { status?: { result?: string, message?: string, code?: number } }
  if (body.status?.message === undefined) throw new Error(`not an envelope: ${answer.text}`)
  return { code: body.status.code as number, message: body.status.message, result: body.status.result as string }
}
