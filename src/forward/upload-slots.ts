// Streamed uploads hold a connection of their pool for as long as they last. When every one is
// busy, an upload waits for its turn here rather than in undici's queue, and for at most
// UPSTREAM_TIMEOUT_MS: then it is answered 503 without having been sent, so nothing upstream
// is aborted and no connection is lost (undici destroys the socket of a request aborted as it starts).
// When the proxy starts draining, uploads still waiting are answered at once: they would not
// get a connection within the grace, and their clients learn that nothing was sent.
import type { Dispatcher } from 'undici'
import { systemClock, type Clock } from '../clock.js'
import { WAP_ERR_UPLOADS_BUSY } from '../errors.js'
import { NotSent } from '../failures.js'

interface Waiting { readonly start: () => void, readonly refuse: (why: NotSent) => void }

export interface UploadSlots {
  readonly interceptor: Dispatcher.DispatcherComposeInterceptor
  /** answers every upload still waiting, e.g. 503 as the proxy starts draining */
  readonly refuseWaiting: (why: () => NotSent) => void
}

/** When to try again an upload that found every upload connection busy: a guess, as no upload says how long it will last. */
const BUSY_RETRY_AFTER_SECONDS = 10

/** An interceptor for the uploads' pool: at most `slots` uploads in flight, the rest waiting up to `waitMs`. */
export function uploadSlots (slots: number, waitMs: number, clock: Clock = systemClock): UploadSlots {
  let busy = 0
  const waiting: Waiting[] = []
  const release = (): void => {
    busy--
    const next = waiting.shift()
    if (next === undefined) return
    next.start()
  }
  const interceptor: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
    const start = (): void => {
      busy++
      dispatch(opts, new Releasing(handler, release))
    }
    if (busy < slots) {
      start()
      return true
    }
    const refuse = (why: NotSent): void => {
      cancel()
      waiting.splice(waiting.indexOf(entry), 1)
      handler.onResponseError?.(NOT_SENT, why)
    }
    // unref'd: the client's connection keeps the process alive, not this
    const cancel = clock.schedule(() => { refuse(new NotSent(new WAP_ERR_UPLOADS_BUSY(slots, waitMs), 'uploads_busy', BUSY_RETRY_AFTER_SECONDS)) }, waitMs)
    const entry: Waiting = { start: () => { cancel(); start() }, refuse }
    waiting.push(entry)
    return true
  }
  return { interceptor, refuseWaiting: (why) => { for (const entry of [...waiting]) entry.refuse(why()) } }
}

/** The controller of a request that never reached a connection: there is nothing to abort or pause. */
const NOT_SENT: Dispatcher.DispatchController = { aborted: false, paused: false, reason: null, abort () {}, pause () {}, resume () {} }

/** Passes everything through and frees the slot once, when the exchange is over either way. */
class Releasing implements Dispatcher.DispatchHandler {
  #released = false
  constructor (readonly handler: Dispatcher.DispatchHandler, readonly release: () => void) {}

  onRequestStart (controller: Dispatcher.DispatchController, context: unknown): void {
    this.handler.onRequestStart?.(controller, context)
  }

  onResponseStart (controller: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    this.handler.onResponseStart?.(controller, status, headers, statusMessage)
  }

  onResponseData (controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk)
  }

  onResponseEnd (controller: Dispatcher.DispatchController, trailers: Record<string, string | string[] | undefined>): void {
    this.#free()
    this.handler.onResponseEnd?.(controller, trailers)
  }

  onResponseError (controller: Dispatcher.DispatchController, err: Error): void {
    this.#free()
    this.handler.onResponseError?.(controller, err)
  }

  #free (): void {
    if (this.#released) return
    this.#released = true
    this.release()
  }
}
