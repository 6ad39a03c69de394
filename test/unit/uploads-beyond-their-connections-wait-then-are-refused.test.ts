// The uploads' interceptor: at most UPLOAD_CONNECTIONS uploads are dispatched at once; the next
// waits and is dispatched as one ends (either way), or is refused unsent after the wait limit.
import t from 'tap'
import type { Dispatcher } from 'undici'
import { WAP_ERR_SHUTTING_DOWN } from '../../src/errors.js'
import { NotSent } from '../../src/failures.js'
import { uploadSlots } from '../../src/forward/upload-slots.js'
import { FakeClock } from '../helpers/fake-clock.js'

interface Sent { readonly path: string, readonly handler: Dispatcher.DispatchHandler }

function setup (slots: number, waitMs: number): { clock: FakeClock, sent: Sent[], errors: Array<[string, Error, Dispatcher.DispatchController]>, upload: (path: string) => void, refuseWaiting: (why: () => NotSent) => void } {
  const clock = new FakeClock()
  const sent: Sent[] = []
  const errors: Array<[string, Error, Dispatcher.DispatchController]> = []
  const { interceptor, refuseWaiting } = uploadSlots(slots, waitMs, clock)
  const dispatch = interceptor((opts, handler) => {
    sent.push({ path: opts.path, handler })
    return true
  })
  const upload = (path: string): void => {
    dispatch({ path, method: 'POST', origin: 'http://instance' }, { onResponseError: (controller, err) => { errors.push([path, err, controller]) } })
  }
  return { clock, sent, errors, upload, refuseWaiting }
}

const controller = {} as unknown as Dispatcher.DispatchController

t.test('within the limit every upload is dispatched at once; beyond it they wait', async (t) => {
  const { sent, upload } = setup(2, 1000)
  upload('/a')
  upload('/b')
  upload('/c')
  t.same(sent.map((s) => s.path), ['/a', '/b'])
})

t.test('an upload ending, well or not, lets the first waiting one go, in order, with its timer stopped', async (t) => {
  const { clock, sent, errors, upload } = setup(1, 1000)
  upload('/a')
  upload('/b')
  upload('/c')
  sent[0]?.handler.onResponseEnd?.(controller, {})
  t.same(sent.map((s) => s.path), ['/a', '/b'])
  sent[1]?.handler.onResponseError?.(controller, new Error('reset'))
  t.same(sent.map((s) => s.path), ['/a', '/b', '/c'])
  await clock.advance(5000)
  t.same(errors.map(([path]) => path), ['/b'], 'only /b\'s own failure reached its handler: nobody was refused')
})

t.test('an upload that ends twice frees one slot, not two', async (t) => {
  const { sent, upload } = setup(1, 1000)
  upload('/a')
  upload('/b')
  upload('/c')
  sent[0]?.handler.onResponseEnd?.(controller, {})
  sent[0]?.handler.onResponseError?.(controller, new Error('late'))
  t.same(sent.map((s) => s.path), ['/a', '/b'])
})

t.test('still waiting after the limit: refused 503 uploads_busy, never dispatched, through a controller with nothing to stop', async (t) => {
  const { clock, sent, errors, upload } = setup(1, 1000)
  upload('/a')
  upload('/b')
  await clock.advance(999)
  t.same(errors, [])
  await clock.advance(1)
  t.same(sent.map((s) => s.path), ['/a'])
  const [path, err, notSent] = errors[0] ?? []
  t.equal(path, '/b')
  t.ok(err instanceof NotSent)
  t.match(err, { reason: 'uploads_busy', retryAfterSeconds: 10, answer: { statusCode: 503, code: 'WAP_ERR_UPLOADS_BUSY', message: /^All 1 connections for streamed uploads \(UPLOAD_CONNECTIONS\) stayed busy for 1000 ms/ } })
  t.equal(notSent?.aborted, false)
  t.doesNotThrow(() => { notSent?.abort(new Error('x')); notSent?.pause(); notSent?.resume() }, 'a handler may stop it: nothing happens')
  sent[0]?.handler.onResponseEnd?.(controller, {})
  upload('/c')
  t.same(sent.map((s) => s.path), ['/a', '/c'], 'the refused upload holds no slot')
})

t.test('draining: every upload still waiting is answered at once, none is sent, their timers stop', async (t) => {
  const { clock, sent, errors, upload, refuseWaiting } = setup(1, 1000)
  upload('/a')
  upload('/b')
  upload('/c')
  refuseWaiting(() => new NotSent(new WAP_ERR_SHUTTING_DOWN(), 'shutting_down', 1))
  t.same(errors.map(([path, err]) => [path, (err as NotSent).reason]), [['/b', 'shutting_down'], ['/c', 'shutting_down']])
  sent[0]?.handler.onResponseEnd?.(controller, {})
  await clock.advance(5000)
  t.same(sent.map((s) => s.path), ['/a'])
  t.equal(errors.length, 2)
})
