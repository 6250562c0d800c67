/**
 * sumMetric adds up every sample of `name` (all label sets) in a Prometheus text exposition.
 * Histogram/summary children (`_bucket`, `_sum`, `_count`) are not samples of `name` and are skipped.
 */
export function sumMetric(exposition: string, name: string): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

/** ServiceCounts are one service's event counters as its /metrics reports them. */
export interface ServiceCounts {
  readonly up: boolean;
  readonly eventsIn: number;
  readonly eventsOut: number;
  readonly deadLetters: number;
}

/**
 * scrapeCounts fetches `http://127.0.0.1:<port>/metrics` (1 s timeout) and sums the shared event
 * counters; an unreachable service is reported `up: false` with zero counts, never an error.
 */
export async function scrapeCounts(port: number): Promise<ServiceCounts> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(1000) });
    const text = await response.text();
    return {
      up: response.ok,
      eventsIn: sumMetric(text, 'driftline_events_in_total'),
      eventsOut: sumMetric(text, 'driftline_events_out_total'),
      deadLetters: sumMetric(text, 'driftline_dead_letters_total'),
    };
  } catch {
    return { up: false, eventsIn: 0, eventsOut: 0, deadLetters: 0 };
  }
}
