import { DriftlineError } from '@driftline/shared/errors';
import { assignmentFromMember, diffAssignment } from './assignment.ts';
import { partitionForKey } from './partitioner.ts';
import type {
  BatchHandler,
  ConsumedRecord,
  KafkaAdminPort,
  KafkaConsumerPort,
  KafkaProducerPort,
  LifecycleState,
  OutgoingRecord,
  RecordPosition,
  StopOptions,
  TopicDescription,
  TopicPartition,
} from './ports.ts';
import { cleanupPolicyFor, describeDrift, planTopics } from './topics.ts';

/** InMemoryConsumerOptions configure a member of the in-memory broker (one member per group). */
export interface InMemoryConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handler: BatchHandler;
  /** Default true, as the kafkajs runner: a group without commits reads from the start. */
  readonly fromBeginning?: boolean;
  /** Records per batch handed to the handler; default 100. */
  readonly maxBatchSize?: number;
  readonly onAssigned?: (partitions: readonly TopicPartition[]) => void | Promise<void>;
  readonly onRevoked?: (partitions: readonly TopicPartition[]) => void | Promise<void>;
}

/** InMemoryKafkaOptions: the clock stamping records, and auto-creation for terse tests. */
export interface InMemoryKafkaOptions {
  readonly now?: () => number;
  /** Partition count for topics created on first send; default: sending to an unknown topic fails. */
  readonly autoCreatePartitions?: number;
}

/**
 * InMemoryKafka is a single-process stand-in for the Kafka ports, for unit tests of services:
 * topics with partitions (keys placed by the same murmur2 partitioner as the real producer),
 * compaction not simulated (every record is kept), consumer groups with committed offsets and the
 * same at-least-once contract as the kafkajs runner (commit after the handler resolves; a
 * rejection commits nothing and the batch is delivered again on the next wake-up).
 */
export interface InMemoryKafka {
  readonly producer: KafkaProducerPort;
  readonly admin: KafkaAdminPort;
  consumer(options: InMemoryConsumerOptions): KafkaConsumerPort;
  /** records returns a topic's records, partition by partition, in offset order. */
  records(topic: string): readonly ConsumedRecord[];
  /** committed is a group's next offset on a partition, or null when it never committed. */
  committed(groupId: string, topic: string, partition: number): string | null;
  /** failNextSend makes the next `producer.send` reject with `error` and write nothing. */
  failNextSend(error: Error): void;
  /** handlerErrors lists what handlers threw, in order (each failed batch is delivered again). */
  handlerErrors(): readonly unknown[];
  /** settle resolves once every running consumer has handled all it can (or is blocked on errors). */
  settle(): Promise<void>;
}

interface Topic {
  readonly partitions: ConsumedRecord[][];
  readonly compacted: boolean;
}

interface Member {
  readonly options: InMemoryConsumerOptions;
  pump(): Promise<void>;
  idle(): Promise<void>;
  busy(): boolean;
}

const partitionsOf = (topic: string, t: Topic): TopicPartition[] =>
  t.partitions.map((_, partition) => ({ topic, partition }));

/**
 * createInMemoryKafka returns an empty in-memory broker. Not for production: everything lives in
 * memory, one member per consumer group, no rebalancing between members.
 */
export function createInMemoryKafka(options: InMemoryKafkaOptions = {}): InMemoryKafka {
  const now = options.now ?? Date.now;
  const topics = new Map<string, Topic>();
  const commits = new Map<string, string>();
  const members = new Set<Member>();
  const errors: unknown[] = [];
  let sendFailure: Error | null = null;

  const commitKey = (group: string, topic: string, partition: number): string =>
    `${group}\u0000${topic}\u0000${partition}`;

  const topicOrFail = (name: string): Topic => {
    let topic = topics.get(name);
    if (topic === undefined && options.autoCreatePartitions !== undefined) {
      topic = {
        partitions: Array.from({ length: options.autoCreatePartitions }, () => []),
        compacted: false,
      };
      topics.set(name, topic);
    }
    if (topic === undefined) {
      throw new DriftlineError(
        'KAFKA_FATAL',
        `unknown topic ${name} (topics are provisioned, never auto-created)`,
      );
    }
    return topic;
  };

  const producer: KafkaProducerPort = {
    async send(records: readonly OutgoingRecord[]): Promise<readonly RecordPosition[]> {
      if (sendFailure !== null) {
        const error = sendFailure;
        sendFailure = null;
        throw error;
      }
      for (const record of records) topicOrFail(record.topic);
      const positions = records.map((record) => {
        const topic = topicOrFail(record.topic);
        const count = topic.partitions.length;
        const partition = record.partition ?? (record.key === null ? 0 : partitionForKey(record.key, count));
        const log = topic.partitions[partition] ?? [];
        const offset = String(log.length);
        log.push({
          topic: record.topic,
          partition,
          offset,
          key: record.key,
          value: record.value,
          headers: { ...record.headers },
          timestampMs: now(),
        });
        return { topic: record.topic, partition, baseOffset: offset };
      });
      for (const member of members) void member.pump();
      return positions;
    },
    disconnect: async () => undefined,
  };

  const describe = (names: readonly string[]): TopicDescription[] =>
    names.flatMap((name) => {
      const topic = topics.get(name);
      return topic === undefined
        ? []
        : [
            {
              name,
              partitions: topic.partitions.length,
              cleanupPolicy: topic.compacted ? 'compact' : 'delete',
            },
          ];
    });

  const admin: KafkaAdminPort = {
    async ensureTopics(specs) {
      const plan = planTopics(specs, describe(specs.map((s) => s.name)));
      if (plan.drift.length > 0) {
        throw new DriftlineError(
          'KAFKA_FATAL',
          `Kafka topics differ from their spec: ${describeDrift(plan.drift)}`,
        );
      }
      for (const spec of plan.create) {
        topics.set(spec.name, {
          partitions: Array.from({ length: spec.partitions }, () => []),
          compacted: cleanupPolicyFor(spec) === 'compact',
        });
      }
      return { created: plan.create.map((s) => s.name), existing: plan.existing };
    },
    describeTopics: async (names) => describe(names),
    async fetchOffsets(groupId, names) {
      return names.flatMap((name) =>
        (topics.get(name)?.partitions ?? []).map((log, partition) => ({
          topic: name,
          partition,
          committed: commits.get(commitKey(groupId, name, partition)) ?? null,
          low: '0',
          high: String(log.length),
        })),
      );
    },
    async fetchRecordTimestamps(positions) {
      return positions.map((p) => ({
        ...p,
        timestampMs: topics.get(p.topic)?.partitions[p.partition]?.[Number(p.offset)]?.timestampMs ?? null,
      }));
    },
    disconnect: async () => undefined,
  };

  const consumer = (consumerOptions: InMemoryConsumerOptions): KafkaConsumerPort => {
    const { groupId, handler } = consumerOptions;
    const maxBatch = consumerOptions.maxBatchSize ?? 100;
    let state: LifecycleState = 'starting';
    let lastPoll: number | null = null;
    let owned: TopicPartition[] = [];
    let paused = false;
    let abandon = false;
    let pumping: Promise<void> | null = null;
    let controller = new AbortController();
    // Fetch position per partition; falls back to the committed offset after a failed batch.
    const positions = new Map<string, number>();

    const positionOf = (tp: TopicPartition): number => {
      const key = commitKey(groupId, tp.topic, tp.partition);
      const fetched = positions.get(key);
      if (fetched !== undefined) return fetched;
      const committed = commits.get(key);
      if (committed !== undefined) return Number(committed);
      return consumerOptions.fromBeginning === false
        ? (topics.get(tp.topic)?.partitions[tp.partition]?.length ?? 0)
        : 0;
    };

    const nextBatch = (): { tp: TopicPartition; records: ConsumedRecord[]; high: number } | null => {
      for (const tp of owned) {
        const log = topics.get(tp.topic)?.partitions[tp.partition] ?? [];
        const from = positionOf(tp);
        if (from < log.length) return { tp, records: log.slice(from, from + maxBatch), high: log.length };
      }
      return null;
    };

    const pumpOnce = async (): Promise<void> => {
      while (state === 'running' && !paused) {
        lastPoll = now();
        const batch = nextBatch();
        if (batch === null) return;
        const key = commitKey(groupId, batch.tp.topic, batch.tp.partition);
        const last = batch.records[batch.records.length - 1];
        if (last === undefined) return;
        try {
          await handler(
            {
              topic: batch.tp.topic,
              partition: batch.tp.partition,
              highWatermark: String(batch.high),
              records: batch.records,
            },
            { signal: controller.signal, heartbeat: async () => undefined, pause: () => () => undefined },
          );
        } catch (error) {
          errors.push(error);
          positions.delete(key);
          return; // delivered again on the next wake-up
        }
        if (abandon) return;
        const next = String(Number(last.offset) + 1);
        commits.set(key, next);
        positions.set(key, Number(next));
      }
    };

    const member: Member = {
      options: consumerOptions,
      pump() {
        pumping ??= pumpOnce().finally(() => {
          pumping = null;
        });
        return pumping;
      },
      idle: () => pumping ?? Promise.resolve(),
      busy: () => pumping !== null,
    };

    return {
      async start() {
        for (const other of members) {
          if (other.options.groupId === groupId) {
            throw new TypeError(`in-memory Kafka: group ${groupId} already has a member`);
          }
        }
        const assignment: Record<string, number[]> = {};
        for (const name of consumerOptions.topics) {
          assignment[name] = partitionsOf(name, topicOrFail(name)).map((tp) => tp.partition);
        }
        owned = assignmentFromMember(assignment);
        members.add(member);
        state = 'running';
        await consumerOptions.onAssigned?.(diffAssignment([], owned).assigned);
        void member.pump();
      },
      async stop(stopOptions: StopOptions = {}) {
        if (state === 'stopped') return;
        if (stopOptions.drain === false) {
          abandon = true;
          controller.abort(new Error('consumer stopped without draining'));
        }
        state = 'draining';
        await member.idle();
        members.delete(member);
        const lost = owned;
        owned = [];
        await consumerOptions.onRevoked?.(lost);
        state = 'stopped';
        controller = new AbortController();
      },
      state: () => state,
      lastPollAtMs: () => lastPoll,
      assignment: () => owned,
      pause: () => {
        paused = true;
      },
      resume: () => {
        paused = false;
        void member.pump();
      },
    };
  };

  return {
    producer,
    admin,
    consumer,
    records: (name) => (topics.get(name)?.partitions ?? []).flat(),
    committed: (groupId, name, partition) => commits.get(commitKey(groupId, name, partition)) ?? null,
    failNextSend: (error) => {
      sendFailure = error;
    },
    handlerErrors: () => errors,
    async settle() {
      // A handler may produce and so wake another member: wait until no member is pumping. Waiting
      // never wakes a member itself, so a batch that keeps failing is not retried in a hot loop.
      while ([...members].some((m) => m.busy())) {
        await Promise.all([...members].map((m) => m.idle()));
      }
    },
  };
}
