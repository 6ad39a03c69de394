// Runtime tuning, off the request path: serve() installs it (unless RUNTIME_TUNING=false) and the
// forwarder feeds it through its observer. Each trick lives in its own file, with what it buys.
import type { ForwardObserver } from '../vocabulary.js'
import { installMallocTuning } from './malloc-tuning.js'
import { installV8Tuning } from './v8-tuning.js'
import { COLLECT_EVERY_BYTES, installYoungGenPacing } from './young-gen-pacing.js'

/** The parts of the forwarding observer the tuning listens on. */
export type TuningObserver = Pick<ForwardObserver, 'bodyBytes' | 'largeBodyPassed'>

export function installRuntimeTuning (): TuningObserver {
  installV8Tuning()
  // One figure for both: V8 frees a batch of read buffers every COLLECT_EVERY_BYTES relayed, and a
  // Buffer that size makes glibc keep twice it, so each freed batch is kept for the next reads.
  return { bodyBytes: installYoungGenPacing(COLLECT_EVERY_BYTES), largeBodyPassed: installMallocTuning(COLLECT_EVERY_BYTES) }
}
