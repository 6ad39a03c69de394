// The image is built lean and safe: multi-stage, LTS Node, production dependencies only, a
// numeric non-root user, node as PID 1 with the tuned flags (as npm start), no baked-in secret.
import t from 'tap'
import { dockerignore, instruction, rootDockerfile } from '../deploy/dockerfile.js'
import { PKG } from '../deploy/npm-package.js'
import { NODE_FLAGS } from '../../src/runtime/v8-tuning.js'

t.test('the Dockerfile: multi-stage, LTS Node, production dependencies only, non-root, exec-form entrypoint, no secrets', async (t) => {
  const { stages, args } = rootDockerfile()
  t.ok(stages.length >= 2, 'multi-stage')
  const base = /^node:(\d+)-(?:bookworm|trixie)-slim$/.exec(args.get('NODE_IMAGE') ?? '')
  t.ok(base !== null && Number(base[1]) >= 22 && Number(base[1]) % 2 === 0, `an LTS (even-numbered) Node on Debian slim (glibc): ${args.get('NODE_IMAGE') ?? '?'}`)
  const build = stages[0] as string[]
  const runtime = stages.at(-1) as string[]
  t.match(instruction(build, 'RUN').join('\n'), /npm ci(?!.*--omit=dev)/, 'the build stage installs dev dependencies')
  t.match(instruction(runtime, 'RUN').join('\n'), /npm ci --omit=dev/, 'the runtime stage installs production dependencies only')
  const user = instruction(runtime, 'USER')
  t.match(user.at(-1), /^[1-9]\d*(:\d+)?$/, 'a numeric non-root user, so Kubernetes can verify runAsNonRoot')
  t.same(instruction(runtime, 'EXPOSE'), ['9191'])
  t.match(instruction(runtime, 'ENV').join(' '), /\bHOST=0\.0\.0\.0\b/)
  const entrypoint = JSON.parse(instruction(runtime, 'ENTRYPOINT').at(-1) ?? 'null') as string[]
  t.equal(entrypoint[0], 'node', 'exec form, node itself as PID 1 (npm start would swallow SIGTERM)')
  t.equal(entrypoint.at(-1), '/opt/wavefront-auth-proxy/dist/wavefront-auth-proxy.mjs', 'it starts the one-file bundle')
  t.same(entrypoint.slice(1, -1), NODE_FLAGS, 'with the node flags the proxy is tuned for (without them a pod memory limit shrinks V8\'s young generation)')
  const everything = [...args.keys(), ...stages.flatMap((s) => [...instruction(s, 'ENV'), ...instruction(s, 'ARG')])].join(' ')
  t.notMatch(everything, /CSP_|TOKEN|SECRET|WAVEFRONT_/, 'no credential is baked into the image')
  const ignore = dockerignore()
  t.equal(ignore[0], '*', '.dockerignore starts from nothing')
  t.same(ignore.filter((l) => /test|\.env|\.git|node_modules|dist/.test(l)), [], 'and lets no tests, env files, git data or local builds in')
})

t.test('npm start runs the one-file bundle with the same node flags as the image', async (t) => {
  const words = PKG.scripts.start?.split(/\s+/) ?? []
  t.equal(words[0], 'node')
  t.equal(words.at(-1), 'dist/wavefront-auth-proxy.mjs')
  t.same(words.slice(1, -1), NODE_FLAGS)
})
