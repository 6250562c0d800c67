import type { GroupLag } from './group-lag.ts';
import type { ServiceCounts } from './metrics-scrape.ts';
import type { ServiceName } from './service-process.ts';

/** LiveStatus is what the status block shows; every field is refreshed by the caller. */
export interface LiveStatus {
  readonly title: string;
  readonly openDrift: number;
  readonly driftEvents: number;
  readonly operations: { total: number; outstanding: number; achieved: number };
  readonly remediated: number;
  readonly injected: number;
  readonly services: ReadonlyMap<ServiceName, ServiceCounts>;
  readonly lag: readonly GroupLag[];
}

/** statusLines renders a LiveStatus as plain text lines (no colour, no cursor control). */
export function statusLines(s: LiveStatus): string[] {
  const services = [...s.services]
    .map(
      ([name, c]) =>
        `${name} ${c.up ? 'up' : 'DOWN'} in ${c.eventsIn} out ${c.eventsOut}${c.deadLetters ? ` dlq ${c.deadLetters}` : ''}`,
    )
    .join(' | ');
  const lag = s.lag
    .map((g) => `${g.group.replace(/^.*-(\w+)$/, '$1')} ${g.messages} msg ${g.seconds.toFixed(1)} s`)
    .join(' | ');
  return [
    `── ${s.title} ── open drift ${s.openDrift} (${s.driftEvents} events) | operations ${s.operations.total}: ${s.operations.outstanding} outstanding, ${s.operations.achieved} achieved | remediated ${s.remediated} | injected ${s.injected}`,
    `   services: ${services}`,
    `   consumer lag: ${lag || 'measuring…'}`,
  ];
}

/**
 * LiveView prints event lines and a status block. On a terminal the block stays at the bottom and
 * is redrawn in place (event lines scroll above it); elsewhere (a pipe, a CI log) events are plain
 * lines and the status block is printed every `statusEveryMs` as ordinary lines.
 */
export class LiveView {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #statusEveryMs: number;
  #drawn = 0;
  #lastPrintedMs = 0;
  #last: string[] = [];

  constructor(out: NodeJS.WriteStream = process.stdout, statusEveryMs = 10_000) {
    this.#out = out;
    this.#tty = out.isTTY === true;
    this.#statusEveryMs = statusEveryMs;
  }

  /** event prints one line above the status block. */
  event(line: string): void {
    this.#erase();
    this.#out.write(`${line}\n`);
    this.#draw();
  }

  /** status replaces the status block (printed at once on a terminal, periodically otherwise). */
  status(status: LiveStatus): void {
    this.#last = statusLines(status);
    if (this.#tty) {
      this.#erase();
      this.#draw();
    } else if (Date.now() - this.#lastPrintedMs >= this.#statusEveryMs) {
      this.#lastPrintedMs = Date.now();
      for (const line of this.#last) this.#out.write(`${line}\n`);
    }
  }

  /** close leaves the last status on screen and stops redrawing. */
  close(): void {
    this.#drawn = 0;
  }

  #erase(): void {
    if (!this.#tty || this.#drawn === 0) return;
    this.#out.write(`\x1b[${this.#drawn}A\x1b[0J`);
    this.#drawn = 0;
  }

  #draw(): void {
    if (!this.#tty) return;
    const width = this.#out.columns ?? 120;
    for (const line of this.#last) this.#out.write(`\x1b[2m${line.slice(0, width - 1)}\x1b[0m\n`);
    this.#drawn = this.#last.length;
  }
}
