import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { classify, errorCodeOf } from '@driftline/shared/errors';
import type { Component } from '@driftline/shared/lifecycle';
import { noopMetrics, type MetricsPort } from '@driftline/shared/metrics';
import { assignmentFromMember, diffAssignment } from './assignment.ts';
import { toConsumedBatch } from './consumed-batch.ts';
import { toKafkaError } from './kafka-error.ts';
import type {
  BatchHandler,
  KafkaConsumerPort,
  LifecycleState,
  StopOptions,
  TopicPartition,
} from './ports.ts';

/** ConsumerRunnerOptions configure one consumer-group member. */
export interface ConsumerRunnerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handler: BatchHandler;
  readonly logger: Logger;
  /**
   * Where a group without committed offsets starts. Default true: driftline's inputs are
   * compacted state topics that must be read whole.
   */
  readonly fromBeginning?: boolean;
  /**
   * How many partitions' batches run through the handler at once (kafkajs
   * partitionsConsumedConcurrently). In-flight work is bounded by this times maxBytesPerPartition.
   */
  readonly concurrency?: number;
  readonly maxBytesPerPartition?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly rebalanceTimeoutMs?: number;
  /** Longest a fetch waits for data; also bounds how stale `lastPollAtMs` gets on an idle topic. */
  readonly maxWaitTimeMs?: number;
  /** Called after a group join with the partitions this member gained. */
  readonly onAssigned?: (partitions: readonly TopicPartition[]) => void | Promise<void>;
  /**
   * Called with the partitions this member lost: after the group join that took them away, and
   * with every owned partition once a stop has committed. kafkajs has no pre-revocation callback
   * (Java's ConsumerRebalanceListener.onPartitionsRevoked), so work for a revoked partition may
   * still be finishing when this runs; its commit then fails and the new owner re-reads it.
   */
  readonly onRevoked?: (partitions: readonly TopicPartition[]) => void | Promise<void>;
  readonly onStateChange?: (state: LifecycleState) => void;
  /**
   * The lifecycle component `/readyz` reads: the runner moves it through the same states and
   * records progress on every poll and finished batch.
   */
  readonly component?: Pick<Component, 'transition' | 'progress'>;
  /** Receives `kafka.consumed` per topic for every batch whose offsets were committed. */
  readonly metrics?: MetricsPort;
  /** Clock for `lastPollAtMs`; injected so readiness tests need no sleeps. */
  readonly now?: () => number;
}

// kafkajs defaults, restated so the bounds are visible: a member is dead after 30 s without a
// heartbeat; heartbeats every 3 s leave room for ten misses; a rebalance waits up to 60 s for
// members to rejoin (a graceful stop finishes its batch well inside that).
const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
const DEFAULT_HEARTBEAT_INTERVAL_MS = 3_000;
const DEFAULT_REBALANCE_TIMEOUT_MS = 60_000;
// 1 MiB per partition (kafkajs default) times the concurrency is the in-flight bound.
const DEFAULT_MAX_BYTES_PER_PARTITION = 1_048_576;
// A fetch returns within 1 s on an idle topic, so the last-poll age means "is the loop alive".
const DEFAULT_MAX_WAIT_TIME_MS = 1_000;

/**
 * createConsumerRunner returns a KafkaConsumerPort running `handler` over `topics` as a member of
 * `groupId`, with at-least-once delivery:
 * - offsets are committed only after the handler's promise resolves (autoCommit off, no
 *   auto-resolve), one explicit commit per batch;
 * - a handler rejection commits nothing for the batch: kafkajs re-fetches it from the last
 *   committed position with backoff; after kafkajs's retries the consumer restarts when the error
 *   is retryable (`classify` → retry) and fails (state `failed`) otherwise;
 * - while a batch runs the runner heartbeats every `heartbeatIntervalMs`, so a long batch keeps
 *   the membership;
 * - in-flight work is bounded: `concurrency` batches of at most `maxBytesPerPartition` each, and
 *   the next fetch waits for them (the awaited handler is the backpressure); `pause()` stops
 *   fetching entirely and the handler can pause its own partition through its context;
 * - `stop()` stops fetching, lets the running batch finish, commits it, leaves the group and
 *   disconnects; `stop({ drain: false })` aborts the handler's signal and commits nothing for the
 *   batch in flight (the records are re-read: this is how a crash behaves).
 */
export function createConsumerRunner(
  kafka: Pick<Kafka, 'consumer'>,
  options: ConsumerRunnerOptions,
): KafkaConsumerPort {
  const logger = options.logger.child({ component: 'kafka-consumer', groupId: options.groupId });
  const now = options.now ?? Date.now;
  const metrics = options.metrics ?? noopMetrics;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const config: ConsumerConfig = {
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
    heartbeatInterval: heartbeatIntervalMs,
    rebalanceTimeout: options.rebalanceTimeoutMs ?? DEFAULT_REBALANCE_TIMEOUT_MS,
    maxBytesPerPartition: options.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION,
    maxWaitTimeInMs: options.maxWaitTimeMs ?? DEFAULT_MAX_WAIT_TIME_MS,
    allowAutoTopicCreation: false,
    retry: {
      // Restart after kafkajs gave up only when waiting can help; a programmer error or a fatal
      // Kafka error must surface as `failed` instead of a restart loop.
      restartOnFailure: async (error: Error) => classify(rootCause(error)) === 'retry',
    },
  };
  const consumer: Consumer = kafka.consumer(config);

  let state: LifecycleState = 'starting';
  let lastPoll: number | null = null;
  let owned: readonly TopicPartition[] = [];
  let abandon = false;
  let started = false;
  const inFlight = new Set<AbortController>();

  const setState = (next: LifecycleState, reason?: string): void => {
    if (state === next) return;
    state = next;
    logger.info({ state: next, reason }, `consumer ${next}`);
    options.component?.transition(next, reason);
    options.onStateChange?.(next);
  };
  const progress = (): void => {
    lastPoll = now();
    options.component?.progress();
  };

  const callHook = async (
    hook: ((partitions: readonly TopicPartition[]) => void | Promise<void>) | undefined,
    name: string,
    partitions: readonly TopicPartition[],
  ): Promise<void> => {
    if (hook === undefined || partitions.length === 0) return;
    try {
      await hook(partitions);
    } catch (error) {
      logger.error({ err: error, hook: name }, `${name} hook failed`);
    }
  };

  consumer.on(consumer.events.FETCH_START, progress);
  consumer.on(consumer.events.END_BATCH_PROCESS, progress);
  consumer.on(consumer.events.GROUP_JOIN, async (event) => {
    const change = diffAssignment(owned, assignmentFromMember(event.payload.memberAssignment));
    owned = change.current;
    logger.info(
      { assigned: change.assigned.length, revoked: change.revoked.length, owned: owned.length },
      'joined consumer group',
    );
    if (state === 'starting') setState('running');
    await callHook(options.onRevoked, 'onRevoked', change.revoked);
    await callHook(options.onAssigned, 'onAssigned', change.assigned);
  });
  consumer.on(consumer.events.CRASH, (event) => {
    const error = event.payload.error;
    logger.error(
      { err: error, code: errorCodeOf(rootCause(error)), restart: event.payload.restart },
      'consumer crashed',
    );
    if (state === 'draining' || state === 'stopped' || state === 'failed') return;
    setState(event.payload.restart ? 'starting' : 'failed', error.message);
  });

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    if (batch.messages.length === 0 || abandon || payload.isStale()) return;
    const controller = new AbortController();
    inFlight.add(controller);
    const beat = setInterval(() => {
      payload
        .heartbeat()
        .catch((error: unknown) => logger.debug({ err: error }, 'heartbeat during batch failed'));
    }, heartbeatIntervalMs);
    try {
      await options.handler(toConsumedBatch(batch), {
        signal: controller.signal,
        heartbeat: () => payload.heartbeat(),
        pause: () => payload.pause(),
      });
    } finally {
      clearInterval(beat);
      inFlight.delete(controller);
    }
    if (abandon || controller.signal.aborted) return;
    const last = batch.messages[batch.messages.length - 1];
    if (last === undefined) return;
    payload.resolveOffset(last.offset);
    // Explicit offsets: commitOffsetsIfNecessary(offsets) commits unconditionally, also while kafkajs
    // is stopping (consumer.commitOffsets would be skipped once `running` is false).
    await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
    metrics.record({ type: 'kafka.consumed', topic: batch.topic, count: batch.messages.length });
  };

  const allTopics = (): { topic: string }[] => options.topics.map((topic) => ({ topic }));

  return {
    async start(): Promise<void> {
      if (started)
        throw new TypeError('createConsumerRunner: a runner starts once; build a new one to restart');
      started = true;
      try {
        await consumer.connect();
        await consumer.subscribe({
          topics: [...options.topics],
          fromBeginning: options.fromBeginning ?? true,
        });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: options.concurrency ?? 1,
          eachBatch,
        });
      } catch (error) {
        setState('failed', error instanceof Error ? error.message : String(error));
        await consumer.disconnect().catch(() => undefined);
        throw toKafkaError(error, 'starting the Kafka consumer', { groupId: options.groupId });
      }
    },

    async stop(stopOptions: StopOptions = {}): Promise<void> {
      if (state === 'stopped' || state === 'draining') return;
      if (state === 'failed') {
        // kafkajs disconnected when it crashed; make sure, and keep `failed` (terminal).
        await consumer.disconnect().catch(() => undefined);
        return;
      }
      const drain = stopOptions.drain ?? true;
      setState('draining');
      if (!drain) {
        abandon = true;
        for (const controller of inFlight) controller.abort(new Error('consumer stopped without draining'));
      }
      try {
        // kafkajs: stop fetching, wait for the running batch (its commit happens inside), leave the
        // group, close connections.
        await consumer.disconnect();
      } finally {
        const lost = owned;
        owned = [];
        await callHook(options.onRevoked, 'onRevoked', lost);
        setState('stopped');
      }
    },

    state: () => state,
    lastPollAtMs: () => lastPoll,
    assignment: () => owned,
    pause: () => consumer.pause(allTopics()),
    resume: () => consumer.resume(allTopics()),
  };
}

// How many `cause` links rootCause follows; kafkajs nests two at most.
const MAX_CAUSE_DEPTH = 5;

/** rootCause unwraps kafkajs's KafkaJSNumberOfRetriesExceeded to the error the handler threw. */
function rootCause(error: Error): unknown {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth += 1) {
    if (
      !(current instanceof Error) ||
      current.cause === undefined ||
      current.name !== 'KafkaJSNumberOfRetriesExceeded'
    ) {
      return current;
    }
    current = current.cause;
  }
  return current;
}
