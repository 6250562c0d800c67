import type { DeadLetter, DriftEvent } from '@driftline/schemas';
import { DriftlineError } from '@driftline/shared/errors';
import type {
  AvroSerde,
  BatchContext,
  CompactedReader,
  ConsumedBatch,
  KafkaAdminPort,
  KafkaProducerPort,
  OutgoingRecord,
  PartitionEnd,
  TopicPartition,
} from '@driftline/shared/kafka';
import type { Logger } from '@driftline/shared/logging';
import { noopMetrics, type MetricsPort } from '@driftline/shared/metrics';
import type { SchedulerLike } from 'rxjs';
import type { HealthTable } from './kafka-health-table.ts';
import {
  decodeInput,
  encodeDeadLetters,
  encodeOutputs,
  toDeadLetter,
  type InputSide,
  type OutputTopics,
} from './kafka-codec.ts';
import { PartitionReconciler, type TimedInput } from './partition-reconciler.ts';
import type { ReconcilerConfig, StepOutput } from './step.ts';
import type { DriftSeed } from './topology.ts';

/** ReconcilerTopics names every topic the reconciler reads and writes. */
export interface ReconcilerTopics extends OutputTopics {
  readonly desired: string;
  readonly observed: string;
}

/** PartitionManagerOptions wire a PartitionManager. */
export interface PartitionManagerOptions {
  /** The consumer group whose committed offsets bound a rebuild. */
  readonly groupId: string;
  readonly topics: ReconcilerTopics;
  readonly config: ReconcilerConfig;
  readonly serde: Pick<AvroSerde, 'decode' | 'encode'>;
  readonly producer: KafkaProducerPort;
  readonly admin: Pick<KafkaAdminPort, 'fetchOffsets'>;
  readonly reader: Pick<CompactedReader, 'latest'>;
  readonly health: HealthTable;
  readonly logger: Logger;
  readonly metrics?: MetricsPort;
  /** Wall clock (epoch ms); default Date.now. */
  readonly now?: () => number;
  /** Where the core's timers run; default rxjs asyncScheduler. */
  readonly timers?: SchedulerLike;
  /** First and longest wait between attempts of a failed rebuild or timer-output send. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  /** Called with `true` when no assigned partition is rebuilding, `false` when one starts. */
  readonly onReadinessChange?: (ready: boolean) => void;
}

interface Entry {
  readonly partition: number;
  reconciler: PartitionReconciler | null;
  readonly ready: Promise<PartitionReconciler>;
  readonly revoked: AbortController;
  /** Keys of this partition with an open drift → their database kind (for the drift.open gauge). */
  readonly open: Map<string, string>;
}

// A rebuild or a timer-output send that failed is retried with exponential backoff from 500 ms,
// capped at 30 s: long enough not to hammer a broker that is down, short enough to catch up fast.
const DEFAULT_RETRY_MIN_MS = 500;
const DEFAULT_RETRY_MAX_MS = 30_000;

/**
 * PartitionManager keeps the reconciler state per assigned partition number (desired and observed
 * are co-partitioned: partition `p` of both is one unit) and is the consumer runner's batch
 * handler and assignment hooks.
 *
 * - Assignment: the partition's state is rebuilt from the compacted inputs — the latest record
 *   per key of desired `p` and observed `p` below the group's committed offsets — before any batch
 *   of `p` is processed (the handler waits); nothing is emitted for the rebuilt records, whose
 *   outputs were acknowledged before their offsets were committed. The output is the changelog:
 *   first the latest event per key of drift `p` (co-partitioned, read to its high watermark) seeds
 *   each key's open drift, then the inputs are replayed silently against it, then every key is
 *   evaluated once at the wall clock, non-silently (as timer outputs): a drift still open on the
 *   topic whose committed inputs say otherwise is resolved (or changed), e.g. a resolution that
 *   was waiting out its persistence window when the previous owner died. Re-emitting one that was
 *   in fact sent is harmless (deterministic event ids). A failed rebuild is retried.
 * - Batches: record by record decode (undecodable or badly keyed records become dead letters)
 *   and apply, then encode and send the drift events, operations and dead letters of the whole
 *   batch in one awaited, ordered send; a failure once an input was applied resets the partition
 *   (rebuilt from the committed offsets, so redelivery recomputes the outputs); only then does the
 *   handler resolve, so offsets are committed after the outputs are acknowledged. A slow producer
 *   therefore holds the handler, and the runner fetches nothing more (backpressure, no buffer).
 * - Timer outputs (a persistence window ended) are sent through the same ordered chain and
 *   retried until they are acknowledged or the partition is revoked (a restart recomputes them).
 * - Revocation: the state is dropped; a batch of a revoked partition rejects, so nothing of it
 *   is committed and the new owner reads it again.
 */
export class PartitionManager {
  readonly #options: PartitionManagerOptions;
  readonly #logger: Logger;
  readonly #metrics: MetricsPort;
  readonly #now: () => number;
  readonly #entries = new Map<number, Entry>();
  #rebuilding = 0;
  readonly #outbox: { records: readonly OutgoingRecord[]; done: (error?: unknown) => void }[] = [];
  #sending: Promise<void> | null = null;
  #stopped = false;

  constructor(options: PartitionManagerOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'partitions' });
    this.#metrics = options.metrics ?? noopMetrics;
    this.#now = options.now ?? Date.now;
  }

  /** onAssigned starts rebuilding every newly assigned partition number (the runner's hook). */
  readonly onAssigned = (partitions: readonly TopicPartition[]): void => {
    for (const p of this.#inputPartitions(partitions)) this.#ensure(p);
  };

  /** onRevoked drops the state of every revoked partition number (the runner's hook). */
  readonly onRevoked = (partitions: readonly TopicPartition[]): void => {
    for (const p of this.#inputPartitions(partitions)) {
      const entry = this.#entries.get(p);
      if (entry === undefined) continue;
      this.#entries.delete(p);
      entry.revoked.abort(new DriftlineError('KAFKA_UNAVAILABLE', `partition ${p} was revoked`));
      entry.reconciler?.dispose();
      this.#logger.info({ partition: p }, 'partition state dropped');
    }
  };

  /** handle is the consumer runner's BatchHandler; see the class comment for its contract. */
  readonly handle = async (batch: ConsumedBatch, context: BatchContext): Promise<void> => {
    const side = this.#sideOf(batch.topic);
    const entry = this.#ensure(batch.partition);
    const reconciler = await abortable(entry.ready, entry.revoked.signal, context.signal);
    const outputs: StepOutput[] = [];
    const collect = (output: StepOutput) => outputs.push(output);
    const letters: DeadLetter[] = [];
    let applied = false;
    try {
      // One record at a time, decode → apply: a decoded input dies young instead of living until
      // the whole batch is decoded. Batches of several partitions interleave at every await, so
      // decoding all first kept a whole fetch's inputs alive at once, and the young-generation
      // collections that copy them were a fifth of the service's CPU. The outputs (kept anyway
      // for the metrics and the open-drift gauge) are encoded together afterwards.
      for (const record of batch.records) {
        const decoded = await decodeInput(side, record, this.#options.serde);
        if (!decoded.ok) {
          this.#logger.warn(
            {
              topic: record.topic,
              partition: record.partition,
              offset: record.offset,
              code: decoded.error.code,
            },
            `input dead-lettered: ${decoded.error.message}`,
          );
          letters.push(toDeadLetter(record, decoded.error, this.#now()));
          continue;
        }
        throwIfAborted(entry.revoked.signal, context.signal);
        applied = true;
        reconciler.applyInto(decoded.input, collect);
      }
      const records = await encodeOutputs(
        outputs,
        this.#options.serde,
        this.#options.topics,
        entry.partition,
      );
      for (const out of await encodeDeadLetters(letters, this.#options.serde, this.#options.topics))
        records.push(out);
      if (records.length > 0) await this.#send(records);
    } catch (error) {
      // The state already holds inputs of this batch whose outputs were not acknowledged: left as
      // it is, the redelivered batch would change nothing and its outputs would be lost. Rebuild
      // the partition from the committed offsets instead, so redelivery recomputes them.
      if (applied) this.#reset(entry, 'outputs not acknowledged');
      throw error;
    }
    this.#count(outputs, letters, batch.topic);
    trackOpen(entry.open, outputs);
    // A partition revoked while its outputs were in flight must not commit: the new owner has
    // rebuilt without them and reads these records again.
    throwIfAborted(entry.revoked.signal, context.signal);
  };

  /** rebuilt resolves once every partition known now is rebuilt (or revoked); for tests and tools. */
  async rebuilt(): Promise<void> {
    await Promise.all(
      [...this.#entries.values()].map((entry) =>
        abortable(entry.ready, entry.revoked.signal).catch(() => undefined),
      ),
    );
  }

  /** ready tells whether no assigned partition is still rebuilding. */
  ready(): boolean {
    return this.#rebuilding === 0;
  }

  /** partitions lists the partition numbers with state (rebuilt or rebuilding). */
  partitions(): number[] {
    return [...this.#entries.keys()].sort((a, b) => a - b);
  }

  /** stateSize is the number of keys with state across all partitions. */
  /** openDriftByKind counts the keys with an open drift per database kind, across partitions. */
  openDriftByKind(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const entry of this.#entries.values())
      for (const kind of entry.open.values()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    return counts;
  }

  stateSize(): number {
    let size = 0;
    for (const entry of this.#entries.values()) size += entry.reconciler?.stateSize() ?? 0;
    return size;
  }

  /** stop drops every partition (timers stop) and waits for sends in flight; idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.onRevoked(
      [...this.#entries.keys()].map((partition) => ({ topic: this.#options.topics.desired, partition })),
    );
    while (this.#sending !== null) await this.#sending;
  }

  #reset(entry: Entry, reason: string): void {
    if (this.#entries.get(entry.partition) !== entry) return;
    this.#logger.warn({ partition: entry.partition, reason }, 'partition state reset: rebuilding');
    this.onRevoked([{ topic: this.#options.topics.desired, partition: entry.partition }]);
    if (!this.#stopped) this.#ensure(entry.partition);
  }

  #inputPartitions(partitions: readonly TopicPartition[]): Set<number> {
    const { desired, observed } = this.#options.topics;
    return new Set(
      partitions.filter((tp) => tp.topic === desired || tp.topic === observed).map((tp) => tp.partition),
    );
  }

  #sideOf(topic: string): InputSide {
    if (topic === this.#options.topics.desired) return 'desired';
    if (topic === this.#options.topics.observed) return 'observed';
    throw new TypeError(`PartitionManager: unexpected topic ${topic}`);
  }

  #ensure(partition: number): Entry {
    const existing = this.#entries.get(partition);
    if (existing !== undefined) return existing;
    const revoked = new AbortController();
    let resolve: (reconciler: PartitionReconciler) => void = () => undefined;
    const ready = new Promise<PartitionReconciler>((r) => (resolve = r));
    ready.catch(() => undefined);
    const entry: Entry = { partition, reconciler: null, ready, revoked, open: new Map() };
    this.#entries.set(partition, entry);
    this.#setRebuilding(+1);
    void this.#rebuildWithRetry(entry)
      .then((reconciler) => {
        if (reconciler !== null) resolve(reconciler);
      })
      .finally(() => this.#setRebuilding(-1));
    return entry;
  }

  #setRebuilding(delta: number): void {
    const wasReady = this.#rebuilding === 0;
    this.#rebuilding += delta;
    const isReady = this.#rebuilding === 0;
    if (wasReady !== isReady) this.#options.onReadinessChange?.(isReady);
  }

  async #rebuildWithRetry(entry: Entry): Promise<PartitionReconciler | null> {
    let delay = this.#options.retryMinMs ?? DEFAULT_RETRY_MIN_MS;
    for (;;) {
      if (entry.revoked.signal.aborted || this.#stopped) return null;
      try {
        const reconciler = await this.#rebuild(entry);
        if (entry.revoked.signal.aborted) {
          reconciler.dispose();
          return null;
        }
        entry.reconciler = reconciler;
        return reconciler;
      } catch (error) {
        this.#logger.error(
          { err: error, partition: entry.partition, retryInMs: delay },
          'partition rebuild failed',
        );
        await sleep(delay, entry.revoked.signal);
        delay = Math.min(delay * 2, this.#options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS);
      }
    }
  }

  async #rebuild(entry: Entry): Promise<PartitionReconciler> {
    const { partition } = entry;
    const { topics, groupId } = this.#options;
    const started = this.#now();
    const offsets = await this.#options.admin.fetchOffsets(groupId, [
      topics.desired,
      topics.observed,
      topics.drift,
    ]);
    const ranges: PartitionEnd[] = [];
    for (const o of offsets) {
      if (o.partition !== partition) continue;
      // The drift topic is read to its high watermark: everything the previous owner emitted.
      if (o.topic === topics.drift) {
        if (BigInt(o.high) > 0n) ranges.push({ topic: o.topic, partition, end: o.high });
      } else if (o.committed !== null) {
        ranges.push({ topic: o.topic, partition, end: o.committed });
      }
    }
    const { desired, observed, seeds, records } = await this.#readRebuildInputs(partition, ranges);
    const reconciler = new PartitionReconciler({
      partition,
      config: this.#options.config,
      health$: this.#options.health.changes$(),
      onTimerOutputs: (outputs) => this.#sendTimerOutputs(entry, outputs),
      ...(this.#options.now === undefined ? {} : { now: this.#options.now }),
      ...(this.#options.timers === undefined ? {} : { timers: this.#options.timers }),
    });
    // Desired before observed at equal timestamps: a platform change precedes what it causes.
    // Replayed, not just rebuilt: nothing is sent, but the drift events tell which keys are open.
    entry.open.clear();
    trackOpen(
      entry.open,
      seeds.map((seed) => ({ type: 'drift', event: seed.event })),
    );
    trackOpen(entry.open, reconciler.replay([...desired, ...observed], seeds));
    reconciler.reevaluate();
    this.#logger.info(
      {
        partition,
        records,
        seeds: seeds.length,
        keys: reconciler.stateSize(),
        ends: Object.fromEntries(ranges.map((r) => [r.topic, r.end])),
        tookMs: this.#now() - started,
      },
      'partition state rebuilt',
    );
    return reconciler;
  }

  /**
   * #readRebuildInputs reads the latest record per key of `ranges` and decodes them: drift
   * events become seeds, inputs timed inputs. A method of its own so that the records (whose
   * values hold on to whole fetch responses) are garbage once it returns.
   */
  async #readRebuildInputs(
    partition: number,
    ranges: readonly PartitionEnd[],
  ): Promise<{ desired: TimedInput[]; observed: TimedInput[]; seeds: DriftSeed[]; records: number }> {
    const { topics } = this.#options;
    const records =
      ranges.length === 0
        ? []
        : await this.#options.reader.latest({
            topics: [...new Set(ranges.map((r) => r.topic))],
            ends: ranges,
          });
    const desired: TimedInput[] = [];
    const observed: TimedInput[] = [];
    const seeds: DriftSeed[] = [];
    for (const record of records) {
      if (record.topic === topics.drift) {
        const event = await this.#decodeDrift(record.value, partition);
        if (event !== null) seeds.push({ key: event.key, event });
        continue;
      }
      const decoded = await decodeInput(this.#sideOf(record.topic), record, this.#options.serde);
      // Undecodable records below the committed offset were dead-lettered when first consumed.
      if (!decoded.ok) continue;
      (decoded.input.type === 'desired' ? desired : observed).push({
        input: decoded.input,
        timestampMs: record.timestampMs,
      });
    }
    return { desired, observed, seeds, records: records.length };
  }

  /** #decodeDrift decodes a drift event read back on a rebuild; an undecodable one is logged and skipped. */
  async #decodeDrift(value: Buffer | null, partition: number): Promise<DriftEvent | null> {
    if (value === null) return null;
    try {
      return await this.#options.serde.decode('drift', value);
    } catch (error) {
      this.#logger.warn({ err: error, partition }, 'drift event not decodable: not seeded');
      return null;
    }
  }

  /**
   * #send queues records for the producer and resolves once they are acknowledged. Sends go out
   * one at a time, in queue order (per-key order holds across batches and timer outputs); what
   * queues up while one is in flight goes out together in the next (group commit: one round trip
   * for the batches of several partitions). A failed send fails every caller in it.
   */
  #send(records: readonly OutgoingRecord[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#outbox.push({ records, done: (error) => (error === undefined ? resolve() : reject(error)) });
      this.#sending ??= this.#drainOutbox().finally(() => {
        this.#sending = null;
      });
    });
  }

  async #drainOutbox(): Promise<void> {
    while (this.#outbox.length > 0) {
      const group = this.#outbox.splice(0, this.#outbox.length);
      const records: OutgoingRecord[] = [];
      for (const entry of group) for (const record of entry.records) records.push(record);
      try {
        for (const chunk of chunksOf(records)) await this.#options.producer.send(chunk);
        for (const entry of group) entry.done();
      } catch (error) {
        for (const entry of group) entry.done(error ?? new Error('send failed'));
      }
    }
  }

  #sendTimerOutputs(entry: Entry, outputs: readonly StepOutput[]): void {
    void (async () => {
      let delay = this.#options.retryMinMs ?? DEFAULT_RETRY_MIN_MS;
      const records = await encodeOutputs(
        outputs,
        this.#options.serde,
        this.#options.topics,
        entry.partition,
      );
      for (;;) {
        if (entry.revoked.signal.aborted) return;
        try {
          if (records.length > 0) await this.#send(records);
          this.#count(outputs, [], null);
          trackOpen(entry.open, outputs);
          return;
        } catch (error) {
          this.#logger.warn(
            { err: error, partition: entry.partition, retryInMs: delay },
            'timer outputs not sent',
          );
          await sleep(delay, entry.revoked.signal);
          delay = Math.min(delay * 2, this.#options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS);
        }
      }
    })().catch((error: unknown) => {
      this.#logger.error({ err: error, partition: entry.partition }, 'timer outputs not encoded');
    });
  }

  #count(outputs: readonly StepOutput[], letters: readonly DeadLetter[], topic: string | null): void {
    const operationTypes = new Map<string, number>();
    for (const output of outputs) {
      if (output.type === 'operation')
        operationTypes.set(output.operation.type, (operationTypes.get(output.operation.type) ?? 0) + 1);
    }
    for (const [operationType, count] of operationTypes)
      this.#metrics.record({ type: 'operations.created', operationType, count });
    if (topic !== null) {
      for (const letter of letters)
        this.#metrics.record({ type: 'deadletter.sent', topic, code: letter.errorCode });
    }
  }
}

// The broker rejects a record batch above max.message.bytes (1 MiB by default, per partition);
// half of that per produce request leaves room for headers and batch overhead.
const MAX_SEND_BYTES = 512 * 1024;

/** chunksOf splits records, in order, into produce requests of at most MAX_SEND_BYTES of keys and values. */
export function chunksOf(records: readonly OutgoingRecord[]): OutgoingRecord[][] {
  const chunks: OutgoingRecord[][] = [];
  let chunk: OutgoingRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = (record.value?.length ?? 0) + (record.key?.length ?? 0) + 64;
    if (chunk.length > 0 && bytes + size > MAX_SEND_BYTES) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** trackOpen applies drift events to a key → kind map of open drifts (resolved removes the key). */
function trackOpen(open: Map<string, string>, outputs: readonly StepOutput[]): void {
  for (const output of outputs) {
    if (output.type !== 'drift') continue;
    if (output.event.status === 'resolved') open.delete(output.event.key);
    else open.set(output.event.key, output.event.kind);
  }
}

function throwIfAborted(...signals: AbortSignal[]): void {
  for (const signal of signals) {
    if (signal.aborted) {
      throw signal.reason instanceof Error
        ? signal.reason
        : new DriftlineError('KAFKA_UNAVAILABLE', 'batch abandoned');
    }
  }
}

/** abortable waits for `promise` unless one of `signals` aborts first (then rejects with its reason). */
function abortable<T>(promise: Promise<T>, ...signals: AbortSignal[]): Promise<T> {
  throwIfAborted(...signals);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (event: Event) => {
      const signal = event.target as AbortSignal;
      reject(
        signal.reason instanceof Error ? signal.reason : new DriftlineError('KAFKA_UNAVAILABLE', 'aborted'),
      );
    };
    for (const signal of signals) signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      for (const signal of signals) signal.removeEventListener('abort', onAbort);
    });
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
