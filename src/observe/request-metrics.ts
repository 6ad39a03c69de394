// The two metrics every forwarded request updates, counted in plain arrays. prom-client hashes
// the label values on every call: ~8k CPU instructions per small request for these two, 5% of
// the request (BENCHMARKS.md). Here a request costs a few array increments, and the registry
// reads the totals, and formats them as usual, only when /metrics is scraped.
import client from 'prom-client'
import type { ForwardedRoute } from '../vocabulary.js'

const ROUTES: readonly ForwardedRoute[] = ['api', 'report']

interface Definition {
  readonly name: string
  readonly help: string
  readonly registers: client.Registry[]
}

/** A counter by route, method and status: counted here, handed to a prom-client Counter when scraped. */
export class RequestCounter {
  /** route → method → count by status code (100-999), not yet handed over */
  readonly #pending: Record<ForwardedRoute, Map<string, Float64Array>> = { api: new Map(), report: new Map() }

  constructor (definition: Definition) {
    const pending = this.#pending
    // eslint-disable-next-line no-new -- registered with the registry, which keeps it
    new client.Counter({
      ...definition,
      labelNames: ['route', 'method', 'status'],
      collect () {
        for (const route of ROUTES) {
          for (const [method, byStatus] of pending[route]) {
            byStatus.forEach((n, status) => { if (n > 0) this.inc({ route, method, status: String(status) }, n) })
            byStatus.fill(0)
          }
        }
      }
    })
  }

  count (route: ForwardedRoute, method: string, status: number): void {
    const byMethod = this.#pending[route]
    let byStatus = byMethod.get(method)
    if (byStatus === undefined) {
      byStatus = new Float64Array(1000)
      byMethod.set(method, byStatus)
    }
    byStatus[status] = (byStatus[status] as number) + 1 // Node sends only statuses 100-999
  }
}

interface Counts { readonly buckets: Float64Array, sum: number, count: number }

/** One sample line, in the shape prom-client's Histogram gives (a test compares the two). */
interface Sample { readonly value: number, readonly metricName: string, readonly exemplar?: null, readonly labels: Record<string, string | number> }

/** A histogram by route, registered with the registry as a metric of its own: the registry only
 * asks a metric for its samples (get()), which are those a prom-client Histogram would give. */
export class RouteHistogram {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  readonly name: string
  readonly help: string
  readonly #bounds: readonly number[]
  readonly #byRoute = new Map<ForwardedRoute, Counts>()

  constructor (definition: Definition & { readonly buckets: readonly number[] }) {
    this.name = definition.name
    this.help = definition.help
    this.#bounds = definition.buckets
    for (const registry of definition.registers) registry.registerMetric(this as unknown as client.Metric)
  }

  observe (route: ForwardedRoute, seconds: number): void {
    let counts = this.#byRoute.get(route)
    if (counts === undefined) {
      counts = { buckets: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 }
      this.#byRoute.set(route, counts)
    }
    let i = 0
    while (i < this.#bounds.length && seconds > (this.#bounds[i] as number)) i++
    counts.buckets[i] = (counts.buckets[i] as number) + 1 // the last slot is above every bound: +Inf only
    counts.sum += seconds
    counts.count++
  }

  async get (): Promise<{ name: string, help: string, type: string, aggregator: string, values: Sample[] }> {
    const values: Sample[] = []
    for (const route of ROUTES) {
      const counts = this.#byRoute.get(route)
      if (counts === undefined) continue
      let below = 0
      this.#bounds.forEach((le, i) => {
        below += counts.buckets[i] as number
        values.push({ value: below, metricName: `${this.name}_bucket`, exemplar: null, labels: { le, route } })
      })
      values.push(
        { value: counts.count, metricName: `${this.name}_bucket`, exemplar: null, labels: { le: '+Inf', route } },
        { value: counts.sum, metricName: `${this.name}_sum`, labels: { route } },
        { value: counts.count, metricName: `${this.name}_count`, labels: { route } }
      )
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values }
  }

  reset (): void {
    this.#byRoute.clear()
  }
}
