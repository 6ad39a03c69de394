// Under a container memory limit V8 shrinks its young generation unless node is told its size:
// the proxy says so at start, and says what to run instead.
import t from 'tap'
import { NODE_FLAGS, youngGenerationWarning } from '../../src/runtime/v8-tuning.js'

const GiB = 1024 ** 3
const MiB = 1024 ** 2

t.test('a memory limit without the flag: one warning naming the limit and the command to use', async (t) => {
  const warning = youngGenerationWarning(['--enable-source-maps'], undefined, 256 * MiB, 24 * GiB)
  t.match(warning, /memory limit of 256 MiB without --max-semi-space-size/)
  t.match(warning, /15-40% more CPU/)
  t.ok(warning?.includes(`node ${NODE_FLAGS.join(' ')} …`), 'it gives the flags npm start and the image use')
})

t.test('no warning once the size is given, on the command line or in NODE_OPTIONS, in either spelling', async (t) => {
  t.equal(youngGenerationWarning([...NODE_FLAGS], undefined, 256 * MiB, 24 * GiB), undefined)
  t.equal(youngGenerationWarning(['--max-semi-space-size', '8'], undefined, 256 * MiB, 24 * GiB), undefined)
  t.equal(youngGenerationWarning([], '--max_semi_space_size=32 --trace-warnings', 256 * MiB, 24 * GiB), undefined)
})

t.test('no warning without a limit: none set (0), or one no smaller than the machine (what Node reports unconstrained)', async (t) => {
  t.equal(youngGenerationWarning([], undefined, 0, 24 * GiB), undefined)
  t.equal(youngGenerationWarning([], undefined, 2 ** 64, 24 * GiB), undefined)
  t.equal(youngGenerationWarning([], undefined, 24 * GiB, 24 * GiB), undefined)
})

t.test('a similar-looking flag does not count', async (t) => {
  t.type(youngGenerationWarning(['--max-semi-space-size-extra=1', '--min-semi-space-size=16'], undefined, 256 * MiB, 24 * GiB), 'string')
})
