// The fastify organization's style (neostandard), with TypeScript support.
import neostandard from 'neostandard'

// Built, generated and scratch files: ignored by every block below, including our own rules.
const ignores = ['dist/**', 'node_modules/**', '.tap/**', 'coverage/**', 'bench/results/**', '.scratch/**']

export default [
  { ignores },
  ...neostandard({ ts: true, ignores }),
  {
    rules: {
      // `void promise` marks a promise nobody awaits on purpose (an event handler, a fire-and-forget close)
      'no-void': ['error', { allowAsStatement: true }],
      // request hygiene matches control characters and NUL on purpose
      'no-control-regex': 'off'
    }
  }
]
