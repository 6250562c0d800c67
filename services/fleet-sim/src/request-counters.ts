import { REQUEST_VERBS, type RequestVerb } from './faults.ts';

/** RequestCounts is a snapshot of a cluster's request counters. */
export interface RequestCounts {
  readonly total: number;
  readonly byVerb: Readonly<Record<RequestVerb, number>>;
  /** Responses by HTTP status code (watches count their 200 once, when the stream opens). */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Watch streams currently open. */
  readonly openWatches: number;
}

/**
 * RequestCounters counts a cluster's API requests by verb and by response status, so tests and
 * benchmarks can compare the watcher's request volume with a polling baseline (one GET per database
 * per poll). Requests rejected by a fault are counted too.
 */
export class RequestCounters {
  #byVerb = emptyByVerb();
  #byStatus: Record<string, number> = {};
  #total = 0;

  /** request counts one request with its verb. */
  request(verb: RequestVerb): void {
    this.#byVerb[verb] += 1;
    this.#total += 1;
  }

  /** response counts one response status code. */
  response(statusCode: number): void {
    const key = String(statusCode);
    this.#byStatus[key] = (this.#byStatus[key] ?? 0) + 1;
  }

  /** snapshot copies the counters. */
  snapshot(openWatches: number): RequestCounts {
    return { total: this.#total, byVerb: { ...this.#byVerb }, byStatus: { ...this.#byStatus }, openWatches };
  }

  /** reset zeroes every counter. */
  reset(): void {
    this.#byVerb = emptyByVerb();
    this.#byStatus = {};
    this.#total = 0;
  }
}

function emptyByVerb(): Record<RequestVerb, number> {
  return Object.fromEntries(REQUEST_VERBS.map((verb) => [verb, 0])) as Record<RequestVerb, number>;
}
