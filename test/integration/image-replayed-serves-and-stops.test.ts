// The Dockerfile's steps, which no Docker engine can run here, replayed without the container
// (same files, install command, ENV, ENTRYPOINT and HEALTHCHECK) give a proxy that serves and stops.
import { cpSync, existsSync, symlinkSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import t from 'tap'
import { dockerignore, dockerignoreAdmits, filesUnder, instruction, rootDockerfile } from '../deploy/dockerfile.js'
import { ROOT } from '../deploy/helm.js'
import { exerciseAndStop, npmEnv, PKG } from '../deploy/npm-package.js'
import { baseEnv, run, runOk, startProxyProcess } from '../deploy/proxy-process.js'
import { APP_ID, APP_SECRET, startFakes } from '../helpers/stack.js'
import { tempDir } from '../helpers/temp-dir.js'

t.setTimeout(300_000)

t.test('the Dockerfile replayed without a container: its build stage from exactly the files it copies, then its runtime stage', async (t) => {
  const { stages } = rootDockerfile()
  const build = stages[0] as string[]
  const runtime = stages.at(-1) as string[]
  const ignore = dockerignore()
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
