import { DriftlineError, judge } from '@driftline/shared/errors';
import { Backoff, defaultBackoff, type BackoffOptions } from './backoff.ts';
import type { Clock } from './clock.ts';
import { noopSink, type WatcherEventSink } from './events.ts';
import type { KubeListWatchPort, KubeObject, WatchEvent, WatchHandle } from './ports.ts';

/**
 * ReflectorStore is what a reflector feeds (client-go's `ReflectorStore`, narrowed to two calls):
 * `replace` with the complete result of a LIST, `apply` with each ADDED/MODIFIED/DELETED event in
 * stream order. The reflector awaits each call before the next one and advances its
 * resourceVersion only after the call resolved, so a rejected call means the events are
 * delivered again (at-least-once), never skipped.
 */
export interface ReflectorStore {
  replace(items: readonly KubeObject[], resourceVersion: string): Promise<void>;
  apply(event: WatchEvent): Promise<void>;
}

/**
 * RequestGate wraps every request a reflector sends (each LIST page, each WATCH opening) with
 * the provider's policies: timeout, rate limit, circuit breaker. `passthroughGate` applies none.
 */
export interface RequestGate {
  /** run sends `request`; its signal aborts when the gate's timeout passes. */
  run<T>(request: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

/** passthroughGate runs the request as is. */
export const passthroughGate: RequestGate = { run: (request) => request(new AbortController().signal) };

/** ReflectorState is where a reflector's loop is (an explicit union, read by `/readyz`). */
export type ReflectorState =
  'starting' | 'listing' | 'connecting' | 'watching' | 'backing-off' | 'stopped' | 'failed';

/** ReflectorStatus is a snapshot of a reflector for health reporting. */
export interface ReflectorStatus {
  readonly state: ReflectorState;
  /** True once a LIST completed and was handed to the store. */
  readonly synced: boolean;
  readonly resourceVersion: string | null;
  /** Last time anything arrived on the watch (event, bookmark) or a LIST completed. */
  readonly lastActivityAtMs: number | null;
  /** Last sign of life of the current attempt: its start (LIST, watch opening) or anything received. */
  readonly lastProgressAtMs: number | null;
  readonly lastEventAtMs: number | null;
  readonly lastBookmarkAtMs: number | null;
  readonly lastResyncAtMs: number | null;
  readonly relists: number;
  readonly gones: number;
  readonly lastError: string | null;
}

/** ReflectorOptions configure one reflector; only `provider`, `kindPlural`, `port`, `store`, `clock` are required. */
export interface ReflectorOptions {
  readonly provider: string;
  readonly kindPlural: string;
  readonly namespace?: string;
  readonly port: KubeListWatchPort;
  readonly store: ReflectorStore;
  readonly clock: Clock;
  readonly random?: () => number;
  readonly gate?: RequestGate;
  readonly emit?: WatcherEventSink;
  /** LIST page size; 500 is client-go's pager default — big enough to be few requests, small
   * enough that the API server never builds a huge response for a big provider. */
  readonly pageSize?: number;
  /** Watch timeouts are drawn from [min, 2 × min); see `watchTimeoutSeconds`. */
  readonly minWatchTimeoutMs?: number;
  /** A watch with no event and no bookmark for this long is considered stalled and reopened. */
  readonly watchIdleTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
}

/**
 * watchTimeoutSeconds draws a watch's server-side timeout like client-go does:
 * `minWatchTimeout × (1 + rand)`, i.e. 5–10 minutes by default. Every watch ends and is reopened
 * from its resourceVersion now and then, which bounds how long a silently broken stream can hide,
 * and the randomisation keeps thousands of watches opened at the same moment (after a restart)
 * from all closing and reopening in the same second against the API server.
 */
export function watchTimeoutSeconds(minWatchTimeoutMs: number, random: () => number): number {
  return Math.max(1, Math.floor((minWatchTimeoutMs / 1000) * (1 + random())));
}

function resourceVersionOf(object: KubeObject): string | undefined {
  const metadata = object['metadata'];
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const rv = (metadata as Record<string, unknown>)['resourceVersion'];
  return typeof rv === 'string' && rv !== '' ? rv : undefined;
}

function isGoneStatus(object: KubeObject): boolean {
  return object['code'] === 410 || object['reason'] === 'Expired' || object['reason'] === 'Gone';
}

function isDroppedConnection(error: unknown): boolean {
  return (
    error instanceof DriftlineError &&
    error.code === 'K8S_UNAVAILABLE' &&
    error.details?.['status'] === undefined
  );
}

type WatchOutcome =
  | { readonly kind: 'closed'; readonly healthy: boolean }
  | { readonly kind: 'gone'; readonly healthy: boolean }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'error'; readonly error: unknown };

/** A watch that ends cleanly within this time without delivering anything is "very short"
 * (client-go's name): the server is refusing it in disguise, so the next one waits for a backoff. */
const shortWatchMs = 1000;

/**
 * Reflector keeps a `ReflectorStore` in step with one kind (optionally one namespace) of one
 * provider, as client-go's reflector does: a paginated LIST, then a WATCH from the list's
 * resourceVersion with bookmarks. The resourceVersion is remembered from every event and
 * bookmark; a watch that ends (server timeout, dropped connection, stall, error) is reopened from
 * it; a 410 Gone (HTTP status or ERROR event) — or an expired `continue` token — relists. Failures
 * wait for `Backoff` (a 429's Retry-After, when longer), and the backoff starts over after a
 * healthy period. A programmer error (TypeError...) is not retried: the reflector turns `failed`.
 */
export class Reflector {
  readonly #o: Required<Omit<ReflectorOptions, 'namespace' | 'random'>> & {
    namespace: string | undefined;
    random: () => number;
  };
  readonly #backoff: Backoff;
  #state: ReflectorState = 'starting';
  #synced = false;
  #rv: string | null = null;
  #lastActivityAtMs: number | null = null;
  #lastProgressAtMs: number | null = null;
  #lastEventAtMs: number | null = null;
  #lastBookmarkAtMs: number | null = null;
  #lastResyncAtMs: number | null = null;
  #relists = 0;
  #gones = 0;
  #lastError: string | null = null;
  #stopping = false;
  #wake = new AbortController();
  #handle: WatchHandle | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: ReflectorOptions) {
    this.#o = {
      gate: passthroughGate,
      emit: noopSink,
      pageSize: 500,
      minWatchTimeoutMs: 300_000,
      watchIdleTimeoutMs: 90_000,
      backoff: defaultBackoff,
      ...options,
      namespace: options.namespace,
      random: options.random ?? Math.random,
    };
    this.#backoff = new Backoff(this.#o.backoff, this.#o.clock, this.#o.random);
  }

  /** status is a snapshot for health reporting. */
  status(): ReflectorStatus {
    return {
      state: this.#state,
      synced: this.#synced,
      resourceVersion: this.#rv,
      lastActivityAtMs: this.#lastActivityAtMs,
      lastProgressAtMs: this.#lastProgressAtMs,
      lastEventAtMs: this.#lastEventAtMs,
      lastBookmarkAtMs: this.#lastBookmarkAtMs,
      lastResyncAtMs: this.#lastResyncAtMs,
      relists: this.#relists,
      gones: this.#gones,
      lastError: this.#lastError,
    };
  }

  /** start runs the list/watch loop in the background; `stop()` ends it. Calling it twice is a no-op. */
  start(): void {
    this.#loop ??= this.#run().catch((error: unknown) => {
      this.#state = 'failed';
      this.#lastError = error instanceof Error ? error.message : String(error);
    });
  }

  /** stop ends the loop: aborts the open watch or backoff wait and resolves when the loop ended. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake.abort();
    this.#handle?.abort();
    await this.#loop;
    if (this.#state !== 'failed') this.#state = 'stopped';
  }

  /**
   * untilStopped settles like `request`, or rejects as soon as `stop()` is called: a request
   * hanging without a timeout must not keep `stop()` waiting. Whatever it resolves to after a
   * stop is handed to `orphan` (to close an abandoned watch).
   */
  #untilStopped<T>(request: Promise<T>, orphan: (value: T) => void = () => undefined): Promise<T> {
    const signal = this.#wake.signal;
    return new Promise<T>((resolve, reject) => {
      const onStop = (): void => reject(new DriftlineError('TIMEOUT', 'reflector stopped'));
      if (signal.aborted) onStop();
      else signal.addEventListener('abort', onStop, { once: true });
      request.then(
        (value) => {
          signal.removeEventListener('abort', onStop);
          if (signal.aborted) orphan(value);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onStop);
          reject(error);
        },
      );
    });
  }

  get #base(): { provider: string; kind: string } {
    return { provider: this.#o.provider, kind: this.#o.kindPlural };
  }

  async #run(): Promise<void> {
    let needList = true;
    while (!this.#stopping) {
      if (needList) {
        try {
          await this.#listAll();
          needList = false;
        } catch (error) {
          if (this.#stopping) break;
          if (error instanceof DriftlineError && error.code === 'K8S_GONE') this.#gones += 1;
          await this.#failed(error);
          this.#relists += 1;
          this.#o.emit({ type: 'watcher.relist', ...this.#base, reason: 'error' });
          continue;
        }
      }
      const outcome = await this.#watchOnce();
      if (outcome.kind === 'stopped') break;
      if (outcome.kind === 'closed') {
        if (!outcome.healthy) await this.#failed(new DriftlineError('K8S_UNAVAILABLE', 'very short watch'));
        continue;
      }
      if (outcome.kind === 'gone') {
        this.#gones += 1;
        this.#relists += 1;
        this.#o.emit({ type: 'watcher.gone', ...this.#base });
        this.#o.emit({ type: 'watcher.relist', ...this.#base, reason: 'gone' });
        needList = true;
        // The first 410 after a healthy watch is routine (the history window moved on while we
        // were away): relist at once. A watch refused with 410 straight away is a storm: wait.
        if (!outcome.healthy) await this.#failed(new DriftlineError('K8S_GONE', 'watch refused with 410'));
        continue;
      }
      await this.#failed(outcome.error);
    }
    this.#state = 'stopped';
  }

  async #failed(error: unknown): Promise<void> {
    const verdict = judge(error);
    if (verdict.disposition === 'crash' && !(error instanceof DriftlineError)) throw error;
    this.#lastError = error instanceof Error ? error.message : String(error);
    let delayMs = this.#backoff.next();
    const retryAfterMs = error instanceof DriftlineError ? error.details?.['retryAfterMs'] : undefined;
    if (typeof retryAfterMs === 'number' && retryAfterMs > delayMs) delayMs = retryAfterMs;
    this.#state = 'backing-off';
    this.#o.emit({ type: 'watcher.backoff', ...this.#base, delayMs, code: verdict.code });
    await this.#o.clock.sleep(delayMs, this.#wake.signal);
  }

  async #listAll(): Promise<void> {
    this.#state = 'listing';
    this.#lastProgressAtMs = this.#o.clock.now();
    const items: KubeObject[] = [];
    let pages = 0;
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const options = {
        limit: this.#o.pageSize,
        ...(this.#o.namespace === undefined ? {} : { namespace: this.#o.namespace }),
        ...(token === undefined ? {} : { continue: token }),
      };
      const page = await this.#untilStopped(
        this.#o.gate.run((signal) => this.#o.port.list(this.#o.kindPlural, options, signal)),
      );
      if (this.#stopping) return;
      pages += 1;
      items.push(...page.items);
      if (pages === 1) resourceVersion = page.resourceVersion;
      token = page.continue === '' ? undefined : page.continue;
    } while (token !== undefined);
    await this.#o.store.replace(items, resourceVersion);
    const now = this.#o.clock.now();
    this.#rv = resourceVersion;
    this.#synced = true;
    this.#lastActivityAtMs = now;
    this.#lastProgressAtMs = now;
    this.#lastResyncAtMs = now;
    this.#o.emit({ type: 'watcher.list', ...this.#base, items: items.length, pages, resourceVersion });
  }

  async #watchOnce(): Promise<WatchOutcome> {
    const resourceVersion = this.#rv ?? '0';
    const timeoutSeconds = watchTimeoutSeconds(this.#o.minWatchTimeoutMs, this.#o.random);
    const clock = this.#o.clock;
    const openedAt = clock.now();
    let delivered = 0;
    let gone = false;
    // A stream that was given up on (open timed out, stopped) must never feed the store again.
    let live = true;
    const onEvent = async (event: WatchEvent): Promise<void> => {
      if (this.#stopping || !live) return;
      const now = clock.now();
      this.#lastActivityAtMs = now;
      this.#lastProgressAtMs = now;
      if (event.type === 'ERROR') {
        if (isGoneStatus(event.object)) {
          gone = true;
          throw new DriftlineError('K8S_GONE', 'watch ERROR event: resourceVersion expired', {
            details: { status: 410 },
          });
        }
        const code = typeof event.object['code'] === 'number' ? event.object['code'] : null;
        throw new DriftlineError('K8S_UNAVAILABLE', 'watch ERROR event', { details: { status: code } });
      }
      delivered += 1;
      if (event.type === 'BOOKMARK') {
        const rv = resourceVersionOf(event.object);
        if (rv !== undefined) this.#rv = rv;
        this.#lastBookmarkAtMs = now;
        this.#o.emit({ type: 'watcher.bookmark', ...this.#base, resourceVersion: rv ?? '' });
        return;
      }
      await this.#o.store.apply(event);
      const rv = resourceVersionOf(event.object);
      if (rv !== undefined) this.#rv = rv;
      this.#lastEventAtMs = now;
      this.#o.emit({ type: 'watcher.event', ...this.#base, eventType: event.type });
    };

    let handle: WatchHandle;
    this.#state = 'connecting';
    this.#lastProgressAtMs = openedAt;
    try {
      handle = await this.#untilStopped(
        this.#o.gate.run((signal) =>
          this.#o.port.watch(
            this.#o.kindPlural,
            {
              resourceVersion,
              allowWatchBookmarks: true,
              timeoutSeconds,
              ...(this.#o.namespace === undefined ? {} : { namespace: this.#o.namespace }),
            },
            onEvent,
            signal,
          ),
        ),
        (orphan) => orphan.abort(),
      );
    } catch (error) {
      // A watch given up on (refused, timed out, stopped) must never feed the store.
      live = false;
      if (this.#stopping) return { kind: 'stopped' };
      if (error instanceof DriftlineError && error.code === 'K8S_GONE')
        return { kind: 'gone', healthy: false };
      return { kind: 'error', error };
    }
    if (this.#stopping) {
      live = false;
      handle.abort();
      return { kind: 'stopped' };
    }
    this.#handle = handle;
    this.#state = 'watching';
    this.#lastActivityAtMs = clock.now();
    this.#lastProgressAtMs = this.#lastActivityAtMs;
    this.#o.emit({ type: 'watcher.watch.opened', ...this.#base, resourceVersion, timeoutSeconds });

    // Stall watchdog: a stream that delivers neither events nor bookmarks for the idle timeout
    // is presumed dead (a half-open TCP connection never errors) and reopened.
    let stalled = false;
    const watchdogStop = new AbortController();
    const idleMs = this.#o.watchIdleTimeoutMs;
    const watchdog = (async () => {
      while (!watchdogStop.signal.aborted) {
        const idleFor = clock.now() - (this.#lastActivityAtMs ?? openedAt);
        if (idleFor >= idleMs) {
          stalled = true;
          handle.abort();
          return;
        }
        await clock.sleep(idleMs - idleFor, watchdogStop.signal);
      }
    })();

    let outcome: WatchOutcome;
    try {
      await handle.done;
      if (this.#stopping) outcome = { kind: 'stopped' };
      else if (stalled) {
        outcome = { kind: 'error', error: new DriftlineError('TIMEOUT', `watch stalled for ${idleMs} ms`) };
      } else {
        outcome = { kind: 'closed', healthy: delivered > 0 || clock.now() - openedAt >= shortWatchMs };
      }
    } catch (error) {
      const healthy = delivered > 0 || clock.now() - openedAt >= shortWatchMs;
      if (this.#stopping) outcome = { kind: 'stopped' };
      else if (gone || (error instanceof DriftlineError && error.code === 'K8S_GONE')) {
        outcome = { kind: 'gone', healthy };
      } else if (healthy && !stalled && isDroppedConnection(error)) {
        // A healthy stream cut by the network (load balancer idle timeout, API server restart)
        // is reopened at once from its resourceVersion, as client-go does; the gate's rate limit
        // and the backoff on a refused reopen keep this from spinning.
        outcome = { kind: 'closed', healthy: true };
      } else outcome = { kind: 'error', error };
    } finally {
      live = false;
      watchdogStop.abort();
      this.#handle = undefined;
    }
    await watchdog;
    const elapsed = clock.now() - openedAt;
    const reason =
      outcome.kind === 'closed'
        ? elapsed >= timeoutSeconds * 1000
          ? 'timeout'
          : outcome.healthy
            ? 'closed'
            : 'short'
        : outcome.kind === 'error'
          ? stalled
            ? 'stalled'
            : 'error'
          : outcome.kind;
    this.#o.emit({ type: 'watcher.watch.closed', ...this.#base, reason });
    return outcome;
  }
}
