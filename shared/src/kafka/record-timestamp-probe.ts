import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { toKafkaError } from './kafka-error.ts';

/** RecordPositionQuery asks for the record at (or first after) `offset` in one partition. */
export interface RecordPositionQuery {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** RecordTimestamp answers a RecordPositionQuery; `timestampMs` is null when no record was found. */
export interface RecordTimestamp extends RecordPositionQuery {
  readonly timestampMs: number | null;
}

// A probe that finds nothing within this time answers null: the offset is at the end of the log
// or compaction removed everything after it. Bounded so `lag` never hangs.
const DEFAULT_PROBE_TIMEOUT_MS = 15_000;

const positionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * probeRecordTimestamps reads the timestamp of the first record at or after each queried offset.
 * kafkajs has no group-less fetch (no `assign`), so the probe is a throwaway consumer group with
 * a random id that seeks every queried partition to its offset once assigned, reads one record per
 * partition, and leaves without committing; it then deletes its group. It never touches the
 * offsets of the group whose lag is measured. Resolves with null timestamps for partitions that
 * yield nothing within `timeoutMs`; rejects with a DriftlineError when Kafka is unreachable.
 */
export async function probeRecordTimestamps(
  kafka: Kafka,
  queries: readonly RecordPositionQuery[],
  timeoutMs = DEFAULT_PROBE_TIMEOUT_MS,
): Promise<RecordTimestamp[]> {
  if (queries.length === 0) return [];
  const wanted = new Map(queries.map((q) => [positionKey(q.topic, q.partition), BigInt(q.offset)]));
  const found = new Map<string, number>();
  const groupId = `driftline-lag-probe-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...new Set(queries.map((q) => q.topic))], fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const q of queries) consumer.seek({ topic: q.topic, partition: q.partition, offset: q.offset });
      });
      void consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, isStale }) => {
          const key = positionKey(batch.topic, batch.partition);
          const from = wanted.get(key);
          if (from === undefined || found.has(key) || isStale()) return;
          const record = batch.messages.find((m) => BigInt(m.offset) >= from);
          if (record !== undefined) found.set(key, Number(record.timestamp));
          if (found.size === wanted.size) resolve();
        },
      });
    });
    await done;
  } catch (error) {
    throw toKafkaError(error, 'probing record timestamps');
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => undefined)
      .finally(() => admin.disconnect().catch(() => undefined));
  }
  return queries.map((q) => ({ ...q, timestampMs: found.get(positionKey(q.topic, q.partition)) ?? null }));
}
