// The fastify organization's style (neostandard), with TypeScript support.
import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'node_modules/**', '.tap/**', 'coverage/**', 'bench/results/**', '.scratch/**'] }),
  {
    rules: {
      // `void promise` marks a promise nobody awaits on purpose (an event handler, a fire-and-forget close)
      'no-void': ['error', { allowAsStatement: true }],
      // request hygiene matches control characters and NUL on purpose
      'no-control-regex': 'off'
    }
  }
]
