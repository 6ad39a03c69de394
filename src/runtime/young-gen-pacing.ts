// Bodies pass through 64 KiB socket read buffers that V8 frees only at a young-generation
// collection. A large body makes few JS objects, so V8 starts one only once 32 MiB of such
// buffers wait (twice its default semi-space, a constant whatever --max-semi-space-size says).
// That is glibc's trim threshold too (malloc-tuning.ts): a freed batch that size went back to the
// kernel and the next reads faulted it in again, every page of a 256 MiB upload once the proxy had
// idled between uploads; Node 24 collects the batches with mark-compacts instead and peaked at
// ~220 MiB. A minor collection every 8 MiB relayed keeps each batch at half the threshold
// malloc-tuning.ts sets (16 MiB), holds fewer dead buffers, and costs less GC time than V8's own
// rhythm (0.5 ms per 8 MiB against 1.1 ms per 16 MiB and a mark-compact every ~110 MiB).
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** Body bytes relayed (both ways, all requests together) between two forced minor collections. */
export const COLLECT_EVERY_BYTES = 8 * 1024 * 1024

/** V8's gc(): a full collection by default, `{ type: 'minor' }` for the young generation only. */
export type GcFunction = (options?: { type: 'minor' }) => void

let sinceCollection = 0
let collectYoung: (() => void) | undefined

/** Counts body bytes through the proxy; every COLLECT_EVERY_BYTES, collects V8's young generation. */
export function relayed (bytes: number): void {
  sinceCollection += bytes
  if (sinceCollection < COLLECT_EVERY_BYTES) return
  sinceCollection = 0
  collectYoung ??= youngCollector()
  collectYoung()
}

function youngCollector (): () => void {
  const gc = privateGc()
  return gc === undefined ? () => {} : () => gc({ type: 'minor' })
}

/** V8's gc() from a context created while --expose-gc is on: that context gets it, the
 * application's global never does. Undefined where V8 does not install it. */
export function privateGc (): GcFunction | undefined {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('typeof gc === "function" ? gc : undefined') as GcFunction | undefined
  setFlagsFromString('--no-expose-gc')
  return gc
}
