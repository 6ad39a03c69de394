// The proxies a variant-comparing mode (--tuning, --memory, --instructions) measures: this
// checkout's build with its defaults, then one per --variant, --cli and --node.
import { resolve } from 'node:path'
import { NODE_FLAGS } from '../../src/runtime/v8-tuning.js'
import { nodeVersionOf, type Context } from './context.js'
import { variantOf } from './options.js'

export interface Subject {
  readonly label: string
  readonly settings: NodeJS.ProcessEnv
  readonly cli?: string
  readonly node?: string
  /** node's flags instead of NODE_FLAGS */
  readonly baseFlags?: readonly string[]
}

export function subjectsOf (ctx: Context, defaults: readonly Subject[] = []): Subject[] {
  const o = ctx.options
  const node = o.node.map((n) => resolve(n))
  const first = `defaults, node ${nodeVersionOf(ctx.proxyNode)} ${NODE_FLAGS.join(' ')}`
  const out: Subject[] = [{ label: first, settings: {} }]
  const asked = o.variant.length + o.cli.length + (ctx.options.mode === 'tuning' ? node.length : 0)
  if (asked === 0) out.push(...defaults) // nothing asked for: the mode's own list
  for (const v of o.variant) {
    const { label, settings, baseFlags } = variantOf(v)
    out.push(baseFlags === undefined ? { label, settings } : { label, settings, baseFlags })
  }
  for (const c of o.cli) out.push({ label: `build ${c}`, settings: {}, cli: resolve(c) })
  if (ctx.options.mode === 'tuning') for (const n of node) out.push({ label: `Node ${nodeVersionOf(n)}`, settings: {}, node: n })
  return out
}
