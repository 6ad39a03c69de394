// `npm run build`, second step: the compiled proxy and its dependencies in one file,
// dist/wavefront-auth-proxy.mjs, which `npm start` and the image run. Node reads and compiles
// every module file on its own, ~500 of them, which was half of each start; one file starts in
// ~250 ms instead of ~430 (`git show 08800de:BENCHMARKS.md`, Start-up). The npm package keeps
// shipping dist/src/.
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

const dist = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url))

await build({
  entryPoints: [dist('src/cli.js')],
  outfile: dist('wavefront-auth-proxy.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked', // through the compiled files' own maps, back to src/*.ts
  sourcesContent: false,
  // Loaded from node_modules when needed: pino starts its pretty-printing worker from files beside
  // its own code, pino-pretty is optional, and yaml is loaded only when a config file is given.
  external: ['pino', 'pino-pretty', 'yaml'],
  // Bundled CommonJS modules require Node's built-ins, and an ES module has no `require` of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning'
})
