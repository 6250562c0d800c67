import type { ServerResponse } from 'node:http';
import { eventLine, type WatchFilter, type WatchSink } from './watch-hub.ts';

/** WatchSessionOptions configures one streaming watch response. */
export interface WatchSessionOptions {
  readonly filter: WatchFilter;
  /** The kind name bookmarks carry (`MongoDB`). */
  readonly kind: string;
  readonly apiVersion: string;
  /** Send BOOKMARK events (the client asked with `allowWatchBookmarks=true`). */
  readonly bookmarks: boolean;
  readonly bookmarkIntervalMs: number;
  /** End the stream cleanly after this long (`timeoutSeconds`, or the server default). */
  readonly timeoutMs: number;
  /** Bytes the response may buffer for a slow client before the watch is closed. */
  readonly maxBufferedBytes: number;
  /** A drop-watch fault: destroy the connection after this many events. */
  readonly dropAfterEvents: number | undefined;
  /** The cluster's current revision, stamped on bookmarks. */
  readonly currentRevision: () => number;
}

/** Grace for a closed slow watcher to take its buffered bytes before its socket is destroyed. */
const SLOW_CLOSE_GRACE_MS = 5_000;

/**
 * WatchSession is one open watch: a chunked 200 response of newline-delimited JSON events. It
 * writes periodic BOOKMARKs with the cluster revision, ends cleanly at its timeout, and closes
 * itself when the client reads too slowly (its buffer passes `maxBufferedBytes`), as the API
 * server terminates a watcher whose channel is full. The client then re-watches from the last
 * resourceVersion it saw, so nothing is lost.
 */
export class WatchSession implements WatchSink {
  readonly filter: WatchFilter;
  readonly #res: ServerResponse;
  readonly #options: WatchSessionOptions;
  readonly #timers: NodeJS.Timeout[] = [];
  #events = 0;
  #closed = false;
  #onClosed: (() => void) | undefined;

  constructor(res: ServerResponse, options: WatchSessionOptions) {
    this.#res = res;
    this.#options = options;
    this.filter = options.filter;
    res.on('close', () => this.#cleanup());
  }

  /**
   * open sends the response headers and the initial lines (replayed events or an ERROR), then
   * starts the bookmark and timeout timers; `onClosed` runs once when the stream ends for any reason.
   */
  open(initial: readonly string[], onClosed: () => void): void {
    this.#onClosed = onClosed;
    this.#res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    this.#res.flushHeaders();
    if (this.#options.dropAfterEvents === 0) {
      this.close('drop');
      return;
    }
    for (const line of initial) this.deliver(line);
    if (this.#closed) return;
    const timeout = setTimeout(() => this.close('end'), this.#options.timeoutMs);
    this.#timers.push(timeout);
    if (this.#options.bookmarks) {
      this.#timers.push(setInterval(() => this.bookmark(), this.#options.bookmarkIntervalMs));
    }
  }

  /** deliver writes one event line, counting it toward a drop fault and the slow-client bound. */
  deliver(line: string): void {
    if (this.#closed) return;
    this.#res.write(line);
    this.#events += 1;
    if (this.#options.dropAfterEvents !== undefined && this.#events >= this.#options.dropAfterEvents) {
      this.close('drop');
    } else if (this.#res.writableLength > this.#options.maxBufferedBytes) {
      this.close('end');
    }
  }

  /** bookmark writes a BOOKMARK carrying only the current revision. */
  bookmark(annotations?: Record<string, string>): void {
    if (this.#closed) return;
    const metadata = {
      resourceVersion: String(this.#options.currentRevision()),
      ...(annotations !== undefined ? { annotations } : {}),
    };
    this.#res.write(
      eventLine('BOOKMARK', { kind: this.#options.kind, apiVersion: this.#options.apiVersion, metadata }),
    );
  }

  /** close ends the stream gracefully (`end`) or destroys the connection mid-stream (`drop`). */
  close(mode: 'end' | 'drop'): void {
    if (this.#closed) return;
    this.#closed = true;
    if (mode === 'drop') {
      this.#res.socket?.destroy();
      this.#res.destroy();
    } else {
      this.#res.end();
      const grace = setTimeout(() => this.#res.destroy(), SLOW_CLOSE_GRACE_MS);
      grace.unref();
      this.#res.once('finish', () => clearTimeout(grace));
    }
    this.#cleanup();
  }

  #cleanup(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.length = 0;
    const onClosed = this.#onClosed;
    this.#onClosed = undefined;
    onClosed?.();
  }
}
