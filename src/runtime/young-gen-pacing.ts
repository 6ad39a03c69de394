// Buys 12-46 MiB less peak RSS and no page-fault storms while large bodies pass (measured on Node
// 20 and 24, BENCHMARKS.md "Runtime tuning"): V8 frees the 64 KiB socket read buffers a body
// passes through only at a young-generation collection, which a large body (few JS objects)
// starts only once 32 MiB of them wait; glibc then hands such a batch back to the kernel and the
// next reads fault it in again (12 000-37 000 faults per 256 MiB upload without this). A minor
// collection forced every 8 MiB relayed keeps each batch small enough for glibc to keep and reuse.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** Body bytes relayed (both ways, all requests together) between two forced minor collections. */
export const COLLECT_EVERY_BYTES = 8 * 1024 * 1024

/** V8's gc(): a full collection by default, `{ type: 'minor' }` for the young generation only. */
export type GcFunction = (options?: { type: 'minor' }) => void

/** Returns the counter of body bytes relayed: every `everyBytes`, it collects V8's young generation. */
export function installYoungGenPacing (everyBytes = COLLECT_EVERY_BYTES): (bytes: number) => void {
  let sinceCollection = 0
  let collectYoung: (() => void) | undefined
  return (bytes) => {
    sinceCollection += bytes
    if (sinceCollection < everyBytes) return
    sinceCollection = 0
    collectYoung ??= youngCollector()
    collectYoung()
  }
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
