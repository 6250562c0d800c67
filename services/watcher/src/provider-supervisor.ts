import type { ObservedDatabase, ProviderHealth } from '@driftline/schemas';
import { errorCodeOf } from '@driftline/shared/errors';
import type { Logger } from '@driftline/shared/logging';
import { createPolicy, createRateLimiter, type Policy } from '@driftline/shared/resilience';
import { Backoff, defaultBackoff } from './backoff.ts';
import { BoundedQueue } from './bounded-queue.ts';
import type { Clock } from './clock.ts';
import { convert, observedFingerprint } from './converter.ts';
import { Deltas } from './deltas.ts';
import { noopSink, type WatcherEventSink } from './events.ts';
import { kubeDbKind } from './kinds.ts';
import type { KubeListWatchPort, KubeObject, WatchEvent } from './ports.ts';
import { Reflector, type ReflectorOptions, type ReflectorStore, type RequestGate } from './reflector.ts';

/** ProviderSpec is what the watcher must watch on one provider: kinds (`MongoDB`) and namespaces (empty = all). */
export interface ProviderSpec {
  readonly id: string;
  readonly kinds: readonly string[];
  readonly namespaces: readonly string[];
}

/** ObservedChange is one record for `observed.v1`: a value, or `null` for a tombstone. */
export interface ObservedChange {
  readonly key: string;
  readonly value: ObservedDatabase | null;
}

/**
 * ObservedSink publishes observed changes in order; resolving means they are durably written.
 * A rejection is retried by the supervisor with backoff, never dropped.
 */
export interface ObservedSink {
  publish(changes: readonly ObservedChange[]): Promise<void>;
}

/** HealthSink publishes a provider's health record (`provider-health.v1`, key = provider id). */
export interface HealthSink {
  publish(health: ProviderHealth): Promise<void>;
}

/** ProviderPolicies are one provider's own request guards; see `defaultProviderPolicies` for why. */
export interface ProviderPolicies {
  readonly requestTimeoutMs: number;
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly circuitFailures: number;
  readonly circuitHalfOpenAfterMs: number;
}

/**
 * defaultProviderPolicies: 30 s per request is client-go's default for non-watch calls (a LIST
 * page of 500 objects takes well under a second on a healthy API server); 5 requests/s with a
 * burst of 10 is kubectl's client-side limit, plenty for a handful of reflectors that mostly
 * hold one long watch each; 5 consecutive failures open the circuit, which stays open 30 s —
 * one full backoff cap — before a trial request.
 */
export const defaultProviderPolicies: ProviderPolicies = Object.freeze({
  requestTimeoutMs: 30_000,
  ratePerSecond: 5,
  burst: 10,
  circuitFailures: 5,
  circuitHalfOpenAfterMs: 30_000,
});

/** ProviderSupervisorOptions configure one provider's supervisor. */
export interface ProviderSupervisorOptions {
  readonly provider: ProviderSpec;
  readonly port: KubeListWatchPort;
  readonly observed: ObservedSink;
  readonly health: HealthSink;
  readonly watcherId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly emit?: WatcherEventSink;
  /** What `observed.v1` already holds for this provider: only differences get published. */
  readonly seed?: readonly ObservedDatabase[];
  readonly policies?: ProviderPolicies;
  /** Replaces the policies' gate (tests). */
  readonly gate?: RequestGate;
  /** Queue capacity: two full LIST pages per kind would fit many times; bounds memory per provider. */
  readonly queueCapacity?: number;
  readonly batchSize?: number;
  readonly healthIntervalMs?: number;
  readonly reflector?: Partial<
    Pick<ReflectorOptions, 'pageSize' | 'minWatchTimeoutMs' | 'watchIdleTimeoutMs' | 'backoff' | 'random'>
  >;
}

type QueueItem =
  | { readonly type: 'change'; readonly change: ObservedChange }
  | {
      readonly type: 'resync';
      readonly kind: string;
      /** Index of the reflector that relisted. */
      readonly scope: number;
      readonly deleted: number;
      readonly updated: number;
      readonly unchanged: number;
    };

/** ProviderStatus is the supervisor's view for `/readyz`. */
export interface ProviderStatus {
  readonly health: ProviderHealth;
  /** Every reflector completed its first LIST and that LIST is published. */
  readonly synced: boolean;
  /** Some reflector failed, or a watch delivered nothing for twice its idle timeout. */
  readonly stuck: boolean;
  readonly queueDepth: number;
}

function sameHealth(a: ProviderHealth | undefined, b: ProviderHealth): boolean {
  return (
    a !== undefined &&
    a.connected === b.connected &&
    a.circuit === b.circuit &&
    a.relists === b.relists &&
    a.gones === b.gones &&
    a.lastResyncAtMs === b.lastResyncAtMs
  );
}

/**
 * ProviderSupervisor watches one provider in isolation: its own request gate (timeout, rate
 * limit, circuit breaker from `@driftline/shared/resilience`), one reflector per kind and
 * namespace, a bounded queue and its own publishing loop — so a slow, failing or flooding
 * provider never delays another provider's events. Each reflector feeds a converter and a
 * `Deltas` store (seeded from what is already published); changes go out in stream order.
 * Health is published every `healthIntervalMs` and whenever connected/circuit/relists/gones
 * or the last resync change; `lastResyncAtMs` moves only after a relist's changes are written.
 */
export class ProviderSupervisor {
  readonly #o: ProviderSupervisorOptions;
  readonly #emit: WatcherEventSink;
  readonly #logger: Logger;
  readonly #queue: BoundedQueue<QueueItem>;
  readonly #policy: Policy | undefined;
  readonly #gate: RequestGate;
  readonly #reflectors: Reflector[] = [];
  readonly #watchIdleTimeoutMs: number;
  readonly #syncedScopes = new Set<number>();
  #lastResyncAtMs: number | null = null;
  #lastHealth: ProviderHealth | undefined;
  #stopping = new AbortController();
  #loops: Promise<void>[] = [];

  constructor(options: ProviderSupervisorOptions) {
    this.#o = options;
    this.#emit = options.emit ?? noopSink;
    const id = options.provider.id;
    this.#logger = options.logger.child({ component: 'provider-supervisor', provider: id });
    this.#queue = new BoundedQueue(options.queueCapacity ?? 10_000);
    this.#watchIdleTimeoutMs = options.reflector?.watchIdleTimeoutMs ?? 90_000;
    const policies = options.policies ?? defaultProviderPolicies;
    if (options.gate !== undefined) {
      this.#gate = options.gate;
    } else {
      const policy = createPolicy({
        name: id,
        timeoutMs: policies.requestTimeoutMs,
        circuitBreaker: {
          consecutiveFailures: policies.circuitFailures,
          halfOpenAfterMs: policies.circuitHalfOpenAfterMs,
        },
      });
      policy.onEvent((event) => {
        if (event.type === 'circuit-state') {
          this.#emit({ type: 'watcher.circuit', provider: id, state: event.state });
          this.#logger.warn({ circuit: event.state }, 'provider circuit changed');
          void this.#publishHealth(false);
        }
      });
      const limiter = createRateLimiter({
        name: id,
        ratePerSecond: policies.ratePerSecond,
        burst: policies.burst,
        maxWaitMs: policies.requestTimeoutMs,
      });
      this.#policy = policy;
      this.#gate = {
        run: async (request) => {
          await limiter.acquire(1, this.#stopping.signal);
          return policy.execute((signal) => request(signal), this.#stopping.signal);
        },
      };
    }
    const scopes = options.provider.namespaces.length === 0 ? [undefined] : options.provider.namespaces;
    for (const kindName of options.provider.kinds) {
      const kind = kubeDbKind(kindName);
      for (const namespace of scopes) {
        const deltas = new Deltas<ObservedDatabase>(observedFingerprint);
        deltas.seed(
          (options.seed ?? []).filter(
            (r) =>
              r.provider === id &&
              r.kind === kind.kind &&
              (namespace === undefined || r.namespace === namespace),
          ),
        );
        this.#reflectors.push(
          new Reflector({
            ...options.reflector,
            provider: id,
            kindPlural: kind.plural,
            ...(namespace === undefined ? {} : { namespace }),
            port: options.port,
            clock: options.clock,
            gate: this.#gate,
            emit: this.#emit,
            store: this.#store(kind.kind, kind.containerName, deltas, this.#reflectors.length),
          }),
        );
      }
    }
  }

  #store(
    kind: string,
    containerName: string,
    deltas: Deltas<ObservedDatabase>,
    scope: number,
  ): ReflectorStore {
    const id = this.#o.provider.id;
    const toRecord = (object: KubeObject): ObservedDatabase => {
      const record = convert(object, {
        provider: id,
        kind,
        containerName,
        observedAtMs: this.#o.clock.now(),
      });
      if (!record.valid) {
        this.#logger.warn(
          { key: record.key, correlationId: record.correlationId, invalidReason: record.invalidReason },
          'malformed custom resource published as invalid',
        );
        this.#emit({ type: 'watcher.invalid', provider: id, kind, reason: record.invalidReason ?? '' });
      }
      return record;
    };
    const push = async (out: ReturnType<Deltas<ObservedDatabase>['replace']>): Promise<void> => {
      for (const delta of out) {
        if (delta.type === 'upsert') {
          await this.#queue.push({ type: 'change', change: { key: delta.key, value: delta.record } });
        } else if (delta.type === 'delete') {
          await this.#queue.push({ type: 'change', change: { key: delta.key, value: null } });
        } else {
          await this.#queue.push({ ...delta, kind, scope });
        }
      }
    };
    return {
      replace: async (items, resourceVersion) => push(deltas.replace(items.map(toRecord), resourceVersion)),
      apply: async (event: WatchEvent) => {
        if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') {
          await push(deltas.apply(event.type, toRecord(event.object)));
        }
      },
    };
  }

  /** start begins every reflector, the publishing loop and the health loop. */
  start(): void {
    for (const reflector of this.#reflectors) reflector.start();
    this.#loops.push(this.#publishLoop(), this.#healthLoop());
    this.#logger.info({ reflectors: this.#reflectors.length }, 'provider watch started');
  }

  /** stop ends the reflectors, publishes what is already queued, and resolves when all loops ended. */
  async stop(): Promise<void> {
    await Promise.all(this.#reflectors.map((r) => r.stop()));
    this.#queue.close();
    this.#stopping.abort();
    await Promise.all(this.#loops);
    this.#logger.info('provider watch stopped');
  }

  /** status is the supervisor's current health and readiness view. */
  status(): ProviderStatus {
    const now = this.#o.clock.now();
    // Stuck: an attempt in progress (LIST, watch opening, open watch) without any sign of life
    // for twice the idle timeout — the watchdog and request timeouts should have ended it long
    // before. Backing off from a provider that is down is not stuck: that is provider health.
    const stuck = this.#reflectors.some((r) => {
      const s = r.status();
      if (s.state === 'failed') return true;
      const inProgress = s.state === 'listing' || s.state === 'connecting' || s.state === 'watching';
      return (
        inProgress && s.lastProgressAtMs !== null && now - s.lastProgressAtMs > 2 * this.#watchIdleTimeoutMs
      );
    });
    return {
      health: this.#health(),
      synced: this.#syncedScopes.size === this.#reflectors.length,
      stuck,
      queueDepth: this.#queue.depth,
    };
  }

  #health(): ProviderHealth {
    const statuses = this.#reflectors.map((r) => r.status());
    const max = (values: (number | null)[]): number | null =>
      values.reduce<number | null>((a, b) => (b === null ? a : a === null ? b : Math.max(a, b)), null);
    return {
      provider: this.#o.provider.id,
      watcherId: this.#o.watcherId,
      connected: statuses.length > 0 && statuses.every((s) => s.state === 'watching'),
      circuit: this.#policy?.circuitState ?? 'closed',
      lastEventAtMs: max(statuses.map((s) => s.lastEventAtMs)),
      lastBookmarkAtMs: max(statuses.map((s) => s.lastBookmarkAtMs)),
      relists: statuses.reduce((n, s) => n + s.relists, 0),
      gones: statuses.reduce((n, s) => n + s.gones, 0),
      lastResyncAtMs: this.#lastResyncAtMs,
      reportedAtMs: this.#o.clock.now(),
    };
  }

  async #publishHealth(force: boolean): Promise<void> {
    const health = this.#health();
    if (!force && sameHealth(this.#lastHealth, health)) return;
    this.#lastHealth = health;
    try {
      await this.#o.health.publish(health);
    } catch (error) {
      this.#logger.warn({ err: error, code: errorCodeOf(error) }, 'provider health not published');
    }
  }

  async #healthLoop(): Promise<void> {
    const interval = this.#o.healthIntervalMs ?? 15_000;
    // Check for changes often (cheap), publish unconditionally every interval.
    const tick = Math.min(1000, interval);
    let sinceForced = interval;
    while (!this.#stopping.signal.aborted) {
      const force = sinceForced >= interval;
      if (force) sinceForced = 0;
      await this.#publishHealth(force);
      await this.#o.clock.sleep(tick, this.#stopping.signal);
      sinceForced += tick;
    }
  }

  async #publishLoop(): Promise<void> {
    const backoff = new Backoff(defaultBackoff, this.#o.clock);
    const id = this.#o.provider.id;
    for (;;) {
      const items = await this.#queue.take(this.#o.batchSize ?? 500);
      if (items === undefined) return;
      this.#emit({
        type: 'watcher.queue',
        provider: id,
        depth: this.#queue.depth,
        capacity: this.#queue.capacity,
      });
      const changes = items.flatMap((i) => (i.type === 'change' ? [i.change] : []));
      while (changes.length > 0) {
        try {
          await this.#o.observed.publish(changes);
          const tombstones = changes.filter((c) => c.value === null).length;
          this.#emit({
            type: 'watcher.published',
            provider: id,
            records: changes.length - tombstones,
            tombstones,
          });
          break;
        } catch (error) {
          const delayMs = backoff.next();
          this.#logger.warn(
            { err: error, code: errorCodeOf(error), delayMs },
            'observed records not published; retrying',
          );
          if (this.#stopping.signal.aborted) {
            this.#logger.error({ records: changes.length }, 'stopping with unpublished observed records');
            return;
          }
          await this.#o.clock.sleep(delayMs, this.#stopping.signal);
        }
      }
      for (const item of items) {
        if (item.type !== 'resync') continue;
        this.#syncedScopes.add(item.scope);
        this.#lastResyncAtMs = this.#o.clock.now();
        this.#emit({
          type: 'watcher.resync',
          provider: id,
          kind: item.kind,
          deleted: item.deleted,
          updated: item.updated,
          unchanged: item.unchanged,
        });
      }
      if (items.some((i) => i.type === 'resync')) await this.#publishHealth(false);
    }
  }
}
