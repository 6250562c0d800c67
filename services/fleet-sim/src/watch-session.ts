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
  /**
   * Bytes the response may buffer for a client before it counts as slow: above it the buffer must
   * drain within `slowGraceMs`, and above `HARD_LIMIT_FACTOR` times it the watch closes at once.
   */
  readonly maxBufferedBytes: number;
  readonly slowGraceMs: number;
  /** A drop-watch fault: destroy the connection after this many events. */
  readonly dropAfterEvents: number | undefined;
  /** The cluster's current revision, stamped on bookmarks. */
  readonly currentRevision: () => number;
}

/** Grace for a closed slow watcher to take its buffered bytes before its socket is destroyed. */
const SLOW_CLOSE_GRACE_MS = 5_000;

/**
 * HARD_LIMIT_FACTOR: a burst (a bulk seed, an initial replay) legitimately overshoots the soft
 * bound for a moment because sockets drain asynchronously; only a buffer this many times the soft
 * bound is closed without waiting for the grace period.
 */
const HARD_LIMIT_FACTOR = 64;

/**
 * WatchSession is one open watch: a chunked 200 response of newline-delimited JSON events. It
 * writes periodic BOOKMARKs with the cluster revision, ends cleanly at its timeout, and closes
 * itself when the client reads too slowly (its buffer stays above `maxBufferedBytes` for longer
 * than `slowGraceMs`, or passes the hard limit), as the API server terminates a watcher whose
 * channel is full. The client then re-watches from the last
 * resourceVersion it saw, so nothing is lost.
 */
export class WatchSession implements WatchSink {
  readonly filter: WatchFilter;
  readonly #res: ServerResponse;
  readonly #options: WatchSessionOptions;
  readonly #timers: NodeJS.Timeout[] = [];
  #events = 0;
  #closed = false;
  #slowTimer: NodeJS.Timeout | undefined;
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
    } else {
      this.#checkBuffer();
    }
  }

  #checkBuffer(): void {
    const buffered = this.#res.writableLength;
    const soft = this.#options.maxBufferedBytes;
    if (buffered > soft * HARD_LIMIT_FACTOR) {
      this.close('end');
    } else if (buffered > soft && this.#slowTimer === undefined) {
      this.#slowTimer = setTimeout(() => this.close('end'), this.#options.slowGraceMs);
      this.#res.once('drain', () => {
        clearTimeout(this.#slowTimer);
        this.#slowTimer = undefined;
      });
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
      // Flush what was written, then close the connection without the chunked terminator: the
      // client sees the stream break mid-body, as when a load balancer or node drops it.
      const socket = this.#res.socket;
      if (socket === null) this.#res.destroy();
      else {
        socket.end();
        setTimeout(() => socket.destroy(), SLOW_CLOSE_GRACE_MS).unref();
      }
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
    clearTimeout(this.#slowTimer);
    this.#timers.length = 0;
    const onClosed = this.#onClosed;
    this.#onClosed = undefined;
    onClosed?.();
  }
}
