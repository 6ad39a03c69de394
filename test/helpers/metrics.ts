// Reads one series from a Prometheus text exposition, as a scraper would.

/** The sample of `series` (name and labels exactly as exposed), or undefined when absent. */
export function metricValue (text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '))
  if (line === undefined) return undefined
  const sample = line.slice(series.length + 1)
  return sample === '+Inf' ? Infinity : Number(sample)
}
