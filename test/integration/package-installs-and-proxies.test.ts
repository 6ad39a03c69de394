// The npm package ships only the built proxy, and installed from its tarball with production
// dependencies only, the wavefront-auth-proxy command proxies end to end against the fakes.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { ROOT } from '../deploy/helm.js'
import { exerciseAndStop, npmEnv, PKG } from '../deploy/npm-package.js'
import { baseEnv, runOk, startProxyProcess } from '../deploy/proxy-process.js'
import { APP_ID, APP_SECRET, startFakes } from '../helpers/stack.js'
import { tempDir } from '../helpers/temp-dir.js'

t.setTimeout(300_000)

const SHIPPED = /^(package\.json|README\.md|LICENSE|config\.example\.yaml|dist\/src\/[\w/.-]+\.js)$/

t.test('the package ships the built proxy and config.example.yaml, nothing of tests, fixtures or scripts', async (t) => {
  const [report] = JSON.parse(await runOk(['npm', 'pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, env: npmEnv() })) as Array<{ files: Array<{ path: string }>, size: number, unpackedSize: number }>
  const files = report?.files.map((f) => f.path) ?? []
  t.same(files.filter((f) => !SHIPPED.test(f)), [], 'only package.json, README, config.example.yaml and dist/src/**/*.js')
  t.same(files.filter((f) => /(^|\/)(test|fixtures|scripts|bench|helm)\/|\.ts$|\.map$/.test(f)), [], 'no tests, fixtures, scripts, sources or source maps')
  for (const f of ['package.json', 'README.md', 'config.example.yaml', ...Object.values(PKG.bin)]) t.ok(files.includes(f), `ships ${f}`)
  t.ok((report?.unpackedSize ?? Infinity) < 1024 * 1024, `lean: ${report?.unpackedSize ?? '?'} bytes unpacked, ${report?.size ?? '?'} packed`)
})

t.test('installed from the tarball with production dependencies only, wavefront-auth-proxy proxies end to end', async (t) => {
  const dir = tempDir(t, 'wap-pack-')
  // --ignore-scripts: prepare would rebuild dist/ under the other test files' feet (npm test built it already)
  const packed = JSON.parse(await runOk(['npm', 'pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, env: npmEnv() })) as Array<{ filename: string }>
  const tgz = join(dir, (packed[0] as { filename: string }).filename)
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
