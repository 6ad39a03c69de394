// How a local refusal looks to a client and to /metrics: the status and envelope message, no CORS
// header, and the refused_total counter by reason.
import type { Test } from 'tap'
import { call, envelopeMessage, type Answer } from './http.js'

/** Refusal counts by reason, from GET /metrics. */
export async function refusals (url: string): Promise<Record<string, number>> {
  const text = (await call(`${url}/metrics`)).text
  const counts: Record<string, number> = {}
  for (const m of text.matchAll(/^wavefront_auth_proxy_refused_total\{reason="(\w+)"\} (\d+)$/gm)) counts[m[1] as string] = Number(m[2])
  return counts
}

export function corsHeaders (res: Answer): string[] {
  return Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))
}

export function assertRefused (t: Test, res: Answer, code: number, message: RegExp, what: string): void {
  t.equal(res.status, code, what)
  t.match(envelopeMessage(res), { result: 'ERROR', code, message }, what)
}
