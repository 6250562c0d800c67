import type {
  DesiredDatabase,
  DriftEvent,
  KeyStatus,
  ObservedDatabase,
  Operation,
  ProviderHealth,
} from '@driftline/schemas';
import {
  asyncScheduler,
  connectable,
  EMPTY,
  filter,
  map,
  Observable,
  Subject,
  type Connectable,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { DeadlineQueue } from './deadline-queue.ts';
import { FRESH, providerFreshness, type Freshness } from './freshness.ts';
import { mapWithState, type Keyed } from './map-with-state.ts';
import {
  nextDeadlineMs,
  stepInPlace,
  type KeyInput,
  type KeyState,
  type ReconcilerConfig,
  type StepOutput,
} from './step.ts';

/** DesiredChange is one record of the desired table: an upsert, or a tombstone (`value` null). */
export interface DesiredChange {
  readonly key: string;
  readonly value: DesiredDatabase | null;
}

/** ObservedChange is one record of the observed table: an upsert, or a tombstone (`value` null). */
export interface ObservedChange {
  readonly key: string;
  readonly value: ObservedDatabase | null;
}

/** HealthChange is one record of the provider-health table (key = provider id; `value` null = tombstone). */
export interface HealthChange {
  readonly provider: string;
  readonly value: ProviderHealth | null;
}

/** KeyStatusChange says a key's status changed; `keyStatus` null means the key's state was dropped. */
export interface KeyStatusChange {
  readonly key: string;
  readonly keyStatus: KeyStatus | null;
}

/** DriftSeed is a key's latest event read back from the drift topic on a rebuild (see seedOpenDrift). */
export interface DriftSeed {
  readonly key: string;
  readonly event: DriftEvent;
}

/** TopologyInputs are the streams and knobs of the reconciler topology. */
export interface TopologyInputs {
  readonly desired$: Observable<DesiredChange>;
  readonly observed$: Observable<ObservedChange>;
  /** Open drifts read back from the drift topic (seeds the state, emits nothing); default none. */
  readonly seed$?: Observable<DriftSeed>;
  /** Provider health, read as a global table; default: none (every provider fresh). */
  readonly health$?: Observable<HealthChange>;
  /** Time source and timer for persistence, grace and staleness; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  readonly config: ReconcilerConfig;
}

/**
 * Topology is the reconciler as data: nothing runs until `connect()`. Subscribe to the output
 * streams first, then connect; `connect()` returns the subscription that stops it. Outputs of one
 * input are emitted synchronously, in order: status change, drift event, its operations.
 */
export interface Topology {
  /** Every output in emission order (the stream an outbox should consume). */
  readonly output$: Observable<StepOutput>;
  readonly drift$: Observable<DriftEvent>;
  readonly operations$: Observable<Operation>;
  readonly keyStatus$: Observable<KeyStatusChange>;
  connect(): Subscription;
  /** Number of keys with state (for metrics and leak tests). */
  stateSize(): number;
  /** Number of keys waiting for a timer (persistence window or convergence grace). */
  pendingSize(): number;
  /** Number of keys with an open drift (O(keys): for a metrics scrape, not per event). */
  openDriftCount(): number;
  /**
   * reevaluate ticks every key with state once, now (outputs go to `output$` as usual); a no-op
   * while not connected. After a rebuild it emits what seeded open drifts disagree with.
   */
  reevaluate(): void;
}

const TICK: KeyInput = Object.freeze({ type: 'tick' });

interface ProviderEntry {
  health: ProviderHealth | null;
  freshness: Freshness;
}

/**
 * createTopology builds the reconciler topology: a table-table outer join of `desired$` and
 * `observed$` per key, driven by the pure `step`, with provider freshness from `health$`. It
 * imports no I/O. Time comes only from `scheduler` (so marble tests run in virtual time): one
 * scheduled action at a time, armed for the earliest deadline of any key or provider — no timer
 * per key, no interval while nothing is pending. When both `desired$` and `observed$` complete,
 * the outputs complete; pending (not yet persisted) transitions are dropped, since a restart
 * recomputes them from the compacted inputs.
 *
 * State is a Map of keys with live desired or observed records; a key whose records are both
 * tombstoned is dropped. A provider health flip (fresh ↔ stale, by a record or by the passage of
 * time) re-evaluates every key of that provider.
 */
export function createTopology(inputs: TopologyInputs): Topology {
  const { config } = inputs;
  const scheduler = inputs.scheduler ?? asyncScheduler;
  const store = new Map<string, KeyState>();
  const deadlines = new DeadlineQueue();
  let tickAll: (() => void) | null = null;

  const source$ = new Observable<StepOutput>((subscriber) => {
    store.clear();
    deadlines.clear();
    const providers = new Map<string, ProviderEntry>();
    const providerDeadlines = new DeadlineQueue();
    const ticks = new Subject<Keyed<KeyInput>>();
    let timer: Subscription | null = null;
    let timerAtMs = Number.POSITIVE_INFINITY;
    const ctx = { key: '', nowMs: 0, freshness: FRESH };

    const freshnessOf = (provider: string | undefined): Freshness =>
      provider === undefined || providers.size === 0 ? FRESH : (providers.get(provider)?.freshness ?? FRESH);

    // The table owns its states (none leaves the topology), so the step may update them in place.
    const keyStep = (state: KeyState | null, input: KeyInput, key: string) => {
      const hadDeadline = state !== null && state.pending !== null;
      ctx.key = key;
      ctx.nowMs = scheduler.now();
      ctx.freshness = freshnessOf(
        input.type === 'tick' || input.type === 'seed'
          ? providerOf(state)
          : (input.value?.provider ?? providerOf(state)),
      );
      const result = stepInPlace(state, input, ctx, config);
      const deadline = result.state === null ? null : nextDeadlineMs(result.state, config);
      if (deadline === null) {
        // A key has a deadline only while it has a pending transition: skip the lookup otherwise.
        if (hadDeadline) deadlines.delete(key);
      } else {
        deadlines.set(key, deadline);
        arm(deadline);
      }
      return result;
    };

    const arm = (atMs: number) => {
      if (atMs >= timerAtMs) return;
      timer?.unsubscribe();
      timerAtMs = atMs;
      timer = scheduler.schedule(fire, Math.max(0, atMs - scheduler.now()));
    };

    tickAll = () => {
      for (const key of [...store.keys()]) ticks.next({ key, input: TICK });
    };

    const tickProvider = (provider: string) => {
      const keys: string[] = [];
      for (const [key, state] of store) if (providerOf(state) === provider) keys.push(key);
      for (const key of keys) ticks.next({ key, input: TICK });
    };

    const updateProvider = (provider: string, health: ProviderHealth | null) => {
      const before = freshnessOf(provider);
      const freshness = providerFreshness(health, scheduler.now(), config.staleAfterMs);
      if (health === null) providers.delete(provider);
      else providers.set(provider, { health, freshness });
      if (freshness.changesAtMs === null) {
        providerDeadlines.delete(provider);
      } else {
        providerDeadlines.set(provider, freshness.changesAtMs);
        arm(freshness.changesAtMs);
      }
      if (before.fresh !== freshness.fresh) tickProvider(provider);
    };

    function fire() {
      timer = null;
      timerAtMs = Number.POSITIVE_INFINITY;
      const now = scheduler.now();
      for (const provider of providerDeadlines.takeDue(now))
        updateProvider(provider, providers.get(provider)?.health ?? null);
      for (const key of deadlines.takeDue(now)) ticks.next({ key, input: TICK });
      const nextKey = deadlines.nextMs();
      const nextProvider = providerDeadlines.nextMs();
      if (nextKey !== null) arm(nextKey);
      if (nextProvider !== null) arm(nextProvider);
    }

    // The two tables and the internal ticks merged by hand (not merge + map): one hop per input
    // on the hot path. Completes when both tables have completed.
    const keyed$ = new Observable<Keyed<KeyInput>>((inner) => {
      let open = 2;
      const complete = () => {
        if (--open === 0) inner.complete();
      };
      const error = (e: unknown) => inner.error(e);
      const subscriptions = [
        ticks.subscribe((tick) => inner.next(tick)),
        inputs.desired$.subscribe({
          next: (c) => inner.next({ key: c.key, input: { type: 'desired', value: c.value } }),
          error,
          complete,
        }),
        inputs.observed$.subscribe({
          next: (c) => inner.next({ key: c.key, input: { type: 'observed', value: c.value } }),
          error,
          complete,
        }),
        (inputs.seed$ ?? EMPTY).subscribe({
          next: (s) => inner.next({ key: s.key, input: { type: 'seed', event: s.event } }),
          error,
        }),
      ];
      return () => {
        for (const subscription of subscriptions) subscription.unsubscribe();
      };
    });

    const outputSubscription = keyed$.pipe(mapWithState(keyStep, { store })).subscribe(subscriber);
    const healthSubscription = (inputs.health$ ?? EMPTY).subscribe({
      next: (change) => updateProvider(change.provider, change.value),
      error: (error: unknown) => subscriber.error(error),
    });
    return () => {
      tickAll = null;
      healthSubscription.unsubscribe();
      outputSubscription.unsubscribe();
      timer?.unsubscribe();
      ticks.complete();
    };
  });

  const output$: Connectable<StepOutput> = connectable(source$, {
    connector: () => new Subject<StepOutput>(),
    resetOnDisconnect: true,
  });
  return {
    output$,
    drift$: output$.pipe(
      filter((o) => o.type === 'drift'),
      map((o) => o.event),
    ),
    operations$: output$.pipe(
      filter((o) => o.type === 'operation'),
      map((o) => o.operation),
    ),
    keyStatus$: output$.pipe(
      filter((o) => o.type === 'status'),
      map((o) => ({ key: o.key, keyStatus: o.keyStatus })),
    ),
    connect: () => output$.connect(),
    stateSize: () => store.size,
    pendingSize: () => deadlines.size,
    openDriftCount: () => {
      let open = 0;
      for (const state of store.values()) if (state.open !== null) open++;
      return open;
    },
    reevaluate: () => tickAll?.(),
  };
}

function providerOf(state: KeyState | null): string | undefined {
  return state?.desiredSpec?.provider ?? state?.observedSpec?.provider;
}
