/**
 * The narrow Kafka ports driftline services depend on. Services import these types only; the
 * kafkajs adapter in this folder is the one module that knows the client library, so replacing
 * kafkajs (unmaintained since 2023) is a change to this folder alone.
 */
import type { LifecycleState } from '@driftline/shared/lifecycle';

/**
 * RecordHeaders are Kafka record headers as UTF-8 strings (correlation ids, content hints).
 * Binary header values are not part of any driftline contract.
 */
export type RecordHeaders = Readonly<Record<string, string>>;

/**
 * OutgoingRecord is one record to produce. `key` is the database key (or provider id) as a plain
 * UTF-8 string, hashed by the Java-compatible murmur2 partitioner, so every client agrees on the
 * partition; `null` means no key (round-robin). `value: null` is a tombstone.
 */
export interface OutgoingRecord {
  readonly topic: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers?: RecordHeaders;
  /**
   * partition, when set, is where the record goes instead of its key's murmur2 partition. Meant
   * for a co-partitioned output keyed like its input: the input's partition number is the one the
   * key hashes to, so naming it spares the producer hashing every key again.
   */
  readonly partition?: number;
}

/** RecordPosition is where the broker wrote a produced record. */
export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  /** The base offset of the record batch the broker appended (decimal string; int64). */
  readonly baseOffset: string;
}

/**
 * KafkaProducerPort sends records with acks=all from an idempotent producer: a resolved `send`
 * means every record is durably in the in-sync replicas, in order per partition, without
 * duplicates from internal retries. A rejected `send` carries a DriftlineError (`KAFKA_UNAVAILABLE`
 * retryable, `KAFKA_FATAL` not); some records of a rejected batch may have been written, so callers
 * rely on idempotent downstream writes, never on all-or-nothing batches.
 */
export interface KafkaProducerPort {
  send(records: readonly OutgoingRecord[]): Promise<readonly RecordPosition[]>;
  /** disconnect flushes nothing extra (sends are awaited) and closes the connections; idempotent. */
  disconnect(): Promise<void>;
}

/**
 * ConsumedRecord is one record as a consumer handler sees it. `offset` is a decimal string because
 * Kafka offsets are int64; `value: null` is a tombstone; `timestampMs` is the record timestamp
 * (CreateTime unless the topic uses LogAppendTime).
 */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: RecordHeaders;
  readonly timestampMs: number;
}

/** TopicPartition names one partition of one topic. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/**
 * ConsumedBatch is a run of records from one partition, in offset order. `highWatermark` is the
 * partition's end offset when the batch was fetched, so `highWatermark - lastOffset - 1` records
 * were still waiting behind it.
 */
export interface ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: string;
  readonly records: readonly ConsumedRecord[];
}

/**
 * BatchContext is what a batch handler may do besides returning. `signal` aborts when the runner
 * is stopped without draining or the partition is revoked; `pause` stops fetching this partition
 * until the returned resume function is called (backpressure beyond the awaited promise).
 */
export interface BatchContext {
  readonly signal: AbortSignal;
  /** heartbeat keeps the group membership alive in a long batch; the runner also calls it on a timer. */
  heartbeat(): Promise<void>;
  pause(): () => void;
}

/**
 * BatchHandler processes one batch. Resolving means the work for every record in the batch is
 * acknowledged (e.g. MongoDB acked the writes, or the output was produced): only then does the
 * runner commit the batch's offsets (at-least-once). Rejecting commits nothing for the batch;
 * the runner restarts the consumer from the last committed offset, so the handler sees the records
 * again — a handler dead-letters records that can never succeed instead of throwing for them.
 */
export type BatchHandler = (batch: ConsumedBatch, context: BatchContext) => Promise<void>;

/**
 * LifecycleState is the shared lifecycle union (`starting | running | draining | stopped |
 * failed`) from `@driftline/shared/lifecycle`; readiness is derived from it plus the age of the
 * last poll.
 */
export type { LifecycleState };

/** StopOptions: `drain: false` simulates a crash — the in-flight batch is abandoned uncommitted. */
export interface StopOptions {
  readonly drain?: boolean;
}

/**
 * KafkaConsumerPort is a running consumer-group member. `start` joins the group and begins
 * delivering batches to the handler; `stop` (graceful by default) stops fetching, lets the current
 * batch finish, commits its offsets, leaves the group and disconnects. `state` and `lastPollAtMs`
 * feed `/readyz`: a consumer that stopped polling is not ready.
 */
export interface KafkaConsumerPort {
  start(): Promise<void>;
  stop(options?: StopOptions): Promise<void>;
  state(): LifecycleState;
  /** The wall-clock time (epoch ms) of the last fetch request, or null before the first one. */
  lastPollAtMs(): number | null;
  /** The partitions this member owns right now (from the latest group join). */
  assignment(): readonly TopicPartition[];
  /** pause stops fetching all subscribed topics until `resume` (e.g. a downstream circuit is open). */
  pause(): void;
  resume(): void;
}

/**
 * TopicSpec declares one topic. `compacted` sets cleanup.policy=compact (state topics, deletion by
 * tombstone); `configs` are extra topic configs (e.g. retention.ms) applied at creation only.
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly compacted: boolean;
  readonly configs?: Readonly<Record<string, string>>;
}

/**
 * TopicDescription is what the broker reports about an existing topic: its partition count and
 * cleanup policy, the two properties driftline never changes silently.
 */
export interface TopicDescription {
  readonly name: string;
  readonly partitions: number;
  readonly cleanupPolicy: string;
}

/** EnsureTopicsResult lists which topics `ensureTopics` created and which already existed. */
export interface EnsureTopicsResult {
  readonly created: readonly string[];
  readonly existing: readonly string[];
}

/**
 * PartitionOffsets are the inputs to lag for one partition of one group: `committed` is the next
 * offset the group will read, or null when the group never committed; `low`/`high` are the log
 * start offset and the high watermark.
 */
export interface PartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  readonly committed: string | null;
  readonly low: string;
  readonly high: string;
}

/**
 * KafkaAdminPort provisions topics and reads the offsets lag is computed from. `ensureTopics`
 * creates missing topics and leaves existing ones alone; it rejects with a DriftlineError
 * (`KAFKA_FATAL`, not retryable) naming every topic whose partition count or cleanup policy
 * differs from the spec, and never re-partitions or reconfigures an existing topic.
 */
export interface KafkaAdminPort {
  ensureTopics(specs: readonly TopicSpec[]): Promise<EnsureTopicsResult>;
  describeTopics(names: readonly string[]): Promise<readonly TopicDescription[]>;
  fetchOffsets(groupId: string, topics: readonly string[]): Promise<readonly PartitionOffsets[]>;
  /**
   * fetchRecordTimestamps returns, per requested partition, the timestamp (epoch ms) of the first
   * record at or after the given offset (compaction may have removed the record at the offset
   * itself), or null when none is found (offset at the high watermark).
   */
  fetchRecordTimestamps(
    positions: readonly { topic: string; partition: number; offset: string }[],
  ): Promise<readonly { topic: string; partition: number; offset: string; timestampMs: number | null }[]>;
  disconnect(): Promise<void>;
}
