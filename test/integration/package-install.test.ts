// The package as users get it: `npm pack`, installed with production dependencies only, run
// end to end against the fakes; and the Dockerfile's runtime steps, which no Docker engine can
// run here, replayed without the container: same files, same install command, same ENV,
// ENTRYPOINT and HEALTHCHECK.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, relative } from 'node:path'
import t, { type Test } from 'tap'
import { ROOT } from '../deploy/helm.js'
import { baseEnv, run, runOk, startProxyProcess, type ProxyProcess } from '../deploy/proxy-process.js'
import { call } from '../helpers/http.js'
import { APP_ID, APP_SECRET, startFakes } from '../helpers/stack.js'
import { NODE_FLAGS } from '../../src/runtime/v8-tuning.js'

t.setTimeout(300_000)

const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string, version: string, bin: Record<string, string>, devDependencies: Record<string, string>, scripts: Record<string, string> }
const SHIPPED = /^(package\.json|README\.md|LICENSE|config\.example\.yaml|dist\/src\/[\w/.-]+\.js)$/

/** npm as a user runs it: none of the npm_* variables of the `npm test` that runs this file. */
function npmEnv (): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/i.test(k)) env[k] = v
  return { ...env, npm_config_update_notifier: 'false' }
}

let packed: Promise<string> | undefined
/** `npm pack` once for this file, into a temp dir; the tarball's path. */
async function tarball (): Promise<string> {
  packed ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wap-pack-'))
    t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
    // --ignore-scripts: prepare would rebuild dist/ under the other test files' feet (npm test built it already)
    const out = JSON.parse(await runOk(['npm', 'pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, env: npmEnv() })) as Array<{ filename: string }>
    return join(dir, (out[0] as { filename: string }).filename)
  })()
  return await packed
}

function tempDir (t: { teardown: (fn: () => void) => void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}

/** The checks a user would make of a running proxy: it forwards, it is ready, it stops cleanly. */
async function exerciseAndStop (t: Test, proxy: ProxyProcess): Promise<void> {
  const res = await call(`${proxy.url}/api/v2/source?limit=2`)
  t.equal(res.status, 200, res.text)
  t.match(res.json(), { status: { result: 'OK', code: 200 }, response: { items: [{ id: 'web-1' }, { id: 'web-2' }] } }, 'the instance\'s envelope comes back')
  t.equal((await call(`${proxy.url}/readyz`)).status, 200, '/readyz: a token is held')
  t.equal((await call(`${proxy.url}/healthz`)).status, 200, '/healthz')
  t.equal(await proxy.stop(), 0, 'SIGTERM: drains and exits 0')
  t.ok(proxy.lines.some((l) => l.includes('"event":"stopped"')), 'logged that it stopped')
}

t.test('the package ships the built proxy and config.example.yaml, nothing of tests, fixtures or scripts', async (t) => {
  const [report] = JSON.parse(await runOk(['npm', 'pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, env: npmEnv() })) as Array<{ files: Array<{ path: string }>, size: number, unpackedSize: number }>
  const files = report?.files.map((f) => f.path) ?? []
  t.same(files.filter((f) => !SHIPPED.test(f)), [], 'only package.json, README, config.example.yaml and dist/src/**/*.js')
  t.same(files.filter((f) => /(^|\/)(test|fixtures|scripts|bench|helm)\/|\.ts$|\.map$/.test(f)), [], 'no tests, fixtures, scripts, sources or source maps')
  for (const f of ['package.json', 'README.md', 'config.example.yaml', ...Object.values(PKG.bin)]) t.ok(files.includes(f), `ships ${f}`)
  t.ok((report?.unpackedSize ?? Infinity) < 1024 * 1024, `lean: ${report?.unpackedSize ?? '?'} bytes unpacked, ${report?.size ?? '?'} packed`)
})

t.test('installed from the tarball with production dependencies only, wavefront-auth-proxy proxies end to end', async (t) => {
  const tgz = await tarball()
  const home = tempDir(t, 'wap-install-')
  writeFileSync(join(home, 'package.json'), '{"private":true}\n') // else npm installs into whatever project encloses the temp dir
  await runOk(['npm', 'install', '--omit=dev', '--no-audit', '--no-fund', tgz], { cwd: home, env: npmEnv() })
  const bin = join(home, 'node_modules/.bin/wavefront-auth-proxy')
  t.ok(existsSync(bin), 'the wavefront-auth-proxy command is installed')
  t.same(Object.keys(PKG.devDependencies).filter((d) => existsSync(join(home, 'node_modules', d))), [], 'no dev dependency is installed')

  const version = await runOk([bin, '--version'], { env: baseEnv() })
  t.equal(version.trim(), `wavefront-auth-proxy ${PKG.version}`)
  const { csp, instance } = await startFakes(t)
  const proxy = await startProxyProcess(t, [bin], {
    ...baseEnv(), WAVEFRONT_URL: instance.url, CSP_BASE_URL: csp.url, CSP_APP_ID: APP_ID, CSP_APP_SECRET: APP_SECRET, PORT: '0'
  }, home)
  t.match(proxy.started, { version: PKG.version, mode: 'csp-app', instance: instance.url, listen: /^http:\/\/127\.0\.0\.1:\d+$/ }, 'JSON start line (no pino-pretty in production)')
  await exerciseAndStop(t, proxy)
  t.equal(instance.received.at(-1)?.auth, 'valid', 'the instance saw a valid bearer token')
})

interface Dockerfile { stages: string[][], args: Map<string, string> }

/** Instructions per stage, continuation lines joined, comments dropped. */
function parseDockerfile (text: string): Dockerfile {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
  const stages: string[][] = []
  const args = new Map<string, string>()
  for (const line of lines) {
    if (/^FROM\s/i.test(line)) stages.push([])
    const stage = stages.at(-1)
    if (stage === undefined) {
      const arg = /^ARG\s+(\w+)=(\S+)/i.exec(line)
      if (arg !== null) args.set(arg[1] as string, arg[2] as string)
      continue
    }
    stage.push(line)
  }
  return { stages, args }
}

function instruction (stage: readonly string[], name: string): string[] {
  return stage.filter((l) => l.toUpperCase().startsWith(name + ' ')).map((l) => l.slice(name.length + 1).trim())
}

t.test('the Dockerfile: multi-stage, LTS Node, production dependencies only, non-root, exec-form entrypoint, no secrets', async (t) => {
  const { stages, args } = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
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
  const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'))
  t.equal(ignore[0], '*', '.dockerignore starts from nothing')
  t.same(ignore.filter((l) => /test|\.env|\.git|node_modules|dist/.test(l)), [], 'and lets no tests, env files, git data or local builds in')
})

t.test('npm start runs the one-file bundle with the same node flags as the image', async (t) => {
  const words = PKG.scripts.start?.split(/\s+/) ?? []
  t.equal(words[0], 'node')
  t.equal(words.at(-1), 'dist/wavefront-auth-proxy.mjs')
  t.same(words.slice(1, -1), NODE_FLAGS)
})

/** Docker's rule: the last .dockerignore pattern that matches a path decides; `!` admits. */
function dockerignoreAdmits (patterns: readonly string[], path: string): boolean {
  let admitted = true
  for (const raw of patterns) {
    const negated = raw.startsWith('!')
    const glob = (negated ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '')
    const source = glob.split('**').map((part) => part.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*')
    if (new RegExp(`^${source}(/.*)?$`).test(path)) admitted = negated
  }
  return admitted
}

function filesUnder (path: string): string[] {
  if (!statSync(join(ROOT, path)).isDirectory()) return [path]
  return readdirSync(join(ROOT, path), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
}

t.test('the Dockerfile replayed without a container: its build stage from exactly the files it copies, then its runtime stage', async (t) => {
  const { stages } = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
  const build = stages[0] as string[]
  const runtime = stages.at(-1) as string[]
  const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'))
  const buildWorkdir = instruction(build, 'WORKDIR').at(-1) as string
  const buildDir = tempDir(t, 'wap-build-')

  // build stage, in order: COPY from the context (through .dockerignore), RUN
  for (const line of build) {
    const [name = '', ...words] = line.split(/\s+/)
    if (name.toUpperCase() === 'COPY') {
      const dest = words.pop() as string
      for (const source of words) {
        const blocked = filesUnder(source).filter((f) => !dockerignoreAdmits(ignore, f))
        t.same(blocked, [], `.dockerignore lets ${source} into the build context`)
        cpSync(join(ROOT, source), dest.endsWith('/') ? join(buildDir, dest, basename(source)) : join(buildDir, dest), { recursive: true })
      }
    } else if (name.toUpperCase() === 'RUN') {
      const command = words.join(' ')
      // npm ci of all dependencies: the repository's node_modules stands in for it
      if (/^npm ci\b/.test(command)) symlinkSync(join(ROOT, 'node_modules'), join(buildDir, 'node_modules'), 'dir')
      else await runOk(['sh', '-c', command], { cwd: buildDir, env: npmEnv() })
    }
  }

  // runtime stage: COPY --from=build, then its npm ci command word for word
  const opt = tempDir(t, 'wap-image-')
  const fromBuild = instruction(runtime, 'COPY').map((c) => /^--from=build\s+(\S+)\s+\S+$/.exec(c)?.[1]).find((p) => p !== undefined) as string
  cpSync(join(buildDir, relative(buildWorkdir, fromBuild)), opt, { recursive: true })
  t.ok(existsSync(join(opt, 'dist/src/cli.js')) && existsSync(join(opt, 'package-lock.json')), 'the build stage hands over the packed files and the lockfile')
  t.ok(existsSync(join(opt, 'dist/wavefront-auth-proxy.mjs')), 'and the one-file bundle the image starts')
  const npmCi = /npm ci [^&]+/.exec(instruction(runtime, 'RUN').join(' '))?.[0].trim().split(/\s+/) ?? []
  t.match(npmCi.join(' '), /^npm ci --omit=dev/)
  await runOk(npmCi, { cwd: opt, env: npmEnv() })
  t.same(Object.keys(PKG.devDependencies).filter((d) => existsSync(join(opt, 'node_modules', d))), [], 'no dev dependency in the image')

  const imageEnv: Record<string, string> = {}
  for (const env of instruction(runtime, 'ENV')) {
    for (const [, k, v] of env.matchAll(/(\w+)=(\S+)/g)) imageEnv[k as string] = v as string
  }
  const workdir = instruction(runtime, 'WORKDIR').at(-1) as string
  const inImage = (arg: string): string => arg.replace(workdir, opt)
  const command = [...JSON.parse(instruction(runtime, 'ENTRYPOINT').at(-1) as string) as string[], ...JSON.parse(instruction(runtime, 'CMD').at(-1) as string) as string[]].map(inImage)
  const { csp, instance } = await startFakes(t)
  const proxy = await startProxyProcess(t, command, {
    ...baseEnv(),
    ...imageEnv,
    PORT: '0', // the image's 9191 may be taken on this machine
    WAVEFRONT_URL: instance.url,
    CSP_BASE_URL: csp.url,
    CSP_APP_ID: APP_ID,
    CSP_APP_SECRET: APP_SECRET
  })
  t.match(proxy.started.listen, /^http:\/\/0\.0\.0\.0:\d+$/, 'HOST=0.0.0.0 from the image')
  const port = new URL(proxy.url).port
  const healthcheck = JSON.parse(/CMD\s+(\[.*\])$/.exec(instruction(runtime, 'HEALTHCHECK').at(-1) ?? '')?.[1] ?? '[]') as string[]
  t.equal((await run(healthcheck.map(inImage), { env: { ...baseEnv(), PORT: port } })).code, 0, 'HEALTHCHECK passes while the proxy serves')
  await exerciseAndStop(t, proxy)
  t.equal((await run(healthcheck.map(inImage), { env: { ...baseEnv(), PORT: port } })).code, 1, 'HEALTHCHECK fails once it has stopped')
})
