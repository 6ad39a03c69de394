// One V8 setting that streaming large bodies needs on a small CPU allowance. V8 frees the memory
// behind dead Buffers on a background thread; with one core (a sidecar's usual limit) that
// thread falls behind a body relayed at hundreds of MiB/s, the memory it has not freed yet
// counts as external memory pressure, and V8 answers with a full mark-compact every ~50 ms.
// Measured (BENCHMARKS.md): 256 MiB downloads at ~550 MiB/s with the background sweeper, ~1 GB/s
// with Buffers freed on the main thread right after each young-generation collection.
import { setFlagsFromString } from 'node:v8'

export function tuneV8ForStreaming (): void {
  setFlagsFromString('--no-concurrent-array-buffer-sweeping')
}
