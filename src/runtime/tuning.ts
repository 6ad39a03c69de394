// Runtime tuning, off the request path: serve() installs it (unless RUNTIME_TUNING=false) and the
// forwarder feeds it through its observer. Each trick lives in its own file, with what it buys;
// BENCHMARKS.md ("Runtime tuning") has the measurements behind each, and the ones dropped.
import type { ForwardObserver } from '../vocabulary.js'
import { installV8Tuning } from './v8-tuning.js'
import { COLLECT_EVERY_BYTES, installYoungGenPacing } from './young-gen-pacing.js'

/** The parts of the forwarding observer the tuning listens on. */
export type TuningObserver = Pick<ForwardObserver, 'bodyBytes'>

export function installRuntimeTuning (): TuningObserver {
  installV8Tuning()
  return { bodyBytes: installYoungGenPacing(COLLECT_EVERY_BYTES) }
}
