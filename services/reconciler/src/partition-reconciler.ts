import { asyncScheduler, Subject, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { ReconcilerConfig, StepOutput } from './step.ts';
import {
  createTopology,
  type DesiredChange,
  type DriftSeed,
  type HealthChange,
  type ObservedChange,
  type Topology,
} from './topology.ts';

/** PartitionInput is one decoded input record of a partition: a desired or an observed change. */
export type PartitionInput =
  | { readonly type: 'desired'; readonly change: DesiredChange }
  | { readonly type: 'observed'; readonly change: ObservedChange };

/** TimedInput is an input with its record timestamp (the event time a rebuild replays it at). */
export interface TimedInput {
  readonly input: PartitionInput;
  readonly timestampMs: number;
}

/** PartitionReconcilerOptions wire one partition's reconciler. */
export interface PartitionReconcilerOptions {
  readonly partition: number;
  readonly config: ReconcilerConfig;
  /** The provider-health table (a snapshot first, then changes), shared by every partition. */
  readonly health$: Observable<HealthChange>;
  /**
   * onTimerOutputs receives outputs no `apply` call asked for: transitions whose persistence
   * window or convergence grace ended, and keys re-evaluated because a provider's freshness
   * flipped. Called once per burst (a microtask after the timer), in emission order.
   */
  readonly onTimerOutputs: (outputs: readonly StepOutput[]) => void;
  /** Wall clock (epoch ms); default Date.now. */
  readonly now?: () => number;
  /** Where timers run; default rxjs asyncScheduler. */
  readonly timers?: SchedulerLike;
}

/**
 * PartitionReconciler is the reconciler state of one co-partitioned partition number: a running
 * `createTopology` fed from Subjects, so outputs of one input come back synchronously from
 * `apply`. Its clock is the wall clock, except during `rebuild`, where it is each input's record
 * timestamp (event time), so persistence windows measured during the rebuild match those the live
 * run measured. Not thread-safe by design: callers serialise `apply` per partition (the consumer
 * runner does: one batch per partition at a time).
 */
export class PartitionReconciler {
  readonly partition: number;
  readonly #desired = new Subject<DesiredChange>();
  readonly #observed = new Subject<ObservedChange>();
  readonly #seeds = new Subject<DriftSeed>();
  readonly #topology: Topology;
  readonly #subscriptions: Subscription[] = [];
  readonly #onTimerOutputs: (outputs: readonly StepOutput[]) => void;
  #eventTimeMs: number | null = null;
  #suppress = false;
  #collect: ((output: StepOutput) => void) | null = null;
  #timerOutputs: StepOutput[] = [];
  #disposed = false;

  constructor(options: PartitionReconcilerOptions) {
    this.partition = options.partition;
    this.#onTimerOutputs = options.onTimerOutputs;
    const wallNow = options.now ?? Date.now;
    const timers = options.timers ?? asyncScheduler;
    // Timers run on `timers`; only the notion of "now" is switched to event time during a rebuild.
    const scheduler: SchedulerLike = {
      now: () => this.#eventTimeMs ?? wallNow(),
      schedule: timers.schedule.bind(timers) as SchedulerLike['schedule'],
    };
    this.#topology = createTopology({
      desired$: this.#desired,
      observed$: this.#observed,
      seed$: this.#seeds,
      health$: options.health$,
      scheduler,
      config: options.config,
    });
    this.#subscriptions.push(this.#topology.output$.subscribe((output) => this.#route(output)));
    this.#subscriptions.push(this.#topology.connect());
  }

  /**
   * rebuild replays inputs read from the compacted topics (at most the latest record per key and
   * topic, in record-timestamp order) into the state, emitting nothing: those records' outputs
   * were acknowledged before their offsets were committed. Transitions still waiting out their
   * persistence window at the end are emitted later by the timer (with the same deterministic
   * ids a live run would have given them). `seeds` (each key's latest drift event) set the open
   * drifts first, so the inputs are replayed against what the drift topic says is open.
   */
  rebuild(inputs: readonly TimedInput[], seeds: readonly DriftSeed[] = []): void {
    this.#suppress = true;
    try {
      for (const seed of seeds) this.#seeds.next(seed);
      this.#inEventTime(inputs);
    } finally {
      this.#suppress = false;
    }
  }

  /**
   * replay is `rebuild` that returns the outputs instead of dropping them: what the reconciler
   * emits for `inputs` replayed in record-timestamp order, in event time (the replay check).
   */
  replay(inputs: readonly TimedInput[], seeds: readonly DriftSeed[] = []): StepOutput[] {
    const outputs: StepOutput[] = [];
    this.replayInto(inputs, seeds, (output) => outputs.push(output));
    return outputs;
  }

  /**
   * replayInto is `replay` handing each output to `onOutput` as it is emitted, so a caller that
   * keeps only some of them (the replay check: each key's last drift event) does not hold them all.
   */
  replayInto(
    inputs: readonly TimedInput[],
    seeds: readonly DriftSeed[],
    onOutput: (output: StepOutput) => void,
  ): void {
    this.#collect = onOutput;
    try {
      for (const seed of seeds) this.#seeds.next(seed);
      this.#inEventTime(inputs);
    } finally {
      this.#collect = null;
    }
  }

  /** apply feeds live inputs in order and returns their outputs (status changes, drift events, operations). */
  apply(inputs: readonly PartitionInput[]): StepOutput[] {
    const outputs: StepOutput[] = [];
    const collect = (output: StepOutput) => outputs.push(output);
    for (const input of inputs) this.applyInto(input, collect);
    return outputs;
  }

  /** applyInto feeds one live input and hands its outputs to `onOutput`, in order (no array per input). */
  applyInto(input: PartitionInput, onOutput: (output: StepOutput) => void): void {
    this.#collect = onOutput;
    try {
      this.#next(input);
    } finally {
      this.#collect = null;
    }
  }

  /**
   * reevaluate ticks every key once at the wall clock; its outputs go to `onTimerOutputs` (they
   * answered no `apply`). Called after a seeded rebuild: a key whose replayed inputs disagree with
   * its seeded open drift gets a pending transition (started at the record's event time during the
   * rebuild, so an elapsed persistence window is not waited out again) that this emits when due
   * (else the timer does).
   */
  reevaluate(): void {
    if (!this.#disposed) this.#topology.reevaluate();
  }

  /** stateSize is the number of keys with state in this partition. */
  stateSize(): number {
    return this.#topology.stateSize();
  }

  /** pendingSize is the number of keys waiting for a timer. */
  pendingSize(): number {
    return this.#topology.pendingSize();
  }

  /** dispose stops the topology and its timers and drops the state (partition revoked); idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const subscription of this.#subscriptions.reverse()) subscription.unsubscribe();
    this.#timerOutputs = [];
  }

  #inEventTime(inputs: readonly TimedInput[]): void {
    // Array sort is stable: equal timestamps keep the callers' order without an index per input.
    const ordered = inputs.slice().sort((a, b) => a.timestampMs - b.timestampMs);
    try {
      for (const entry of ordered) {
        this.#eventTimeMs = entry.timestampMs;
        this.#next(entry.input);
      }
    } finally {
      this.#eventTimeMs = null;
    }
  }

  #next(input: PartitionInput): void {
    if (input.type === 'desired') this.#desired.next(input.change);
    else this.#observed.next(input.change);
  }

  #route(output: StepOutput): void {
    if (this.#suppress || this.#disposed) return;
    if (this.#collect !== null) {
      this.#collect(output);
      return;
    }
    if (this.#timerOutputs.length === 0) {
      queueMicrotask(() => {
        const outputs = this.#timerOutputs;
        this.#timerOutputs = [];
        if (!this.#disposed && outputs.length > 0) this.#onTimerOutputs(outputs);
      });
    }
    this.#timerOutputs.push(output);
  }
}
