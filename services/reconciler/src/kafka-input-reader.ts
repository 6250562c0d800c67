import { randomUUID } from 'node:crypto';
import { DriftlineError } from '@driftline/shared/errors';
import type { ConsumedRecord, KafkaClient } from '@driftline/shared/kafka';
import type { Logger } from '@driftline/shared/logging';

/** InputRange is the part of one partition to read: from its log start up to `end` (exclusive). */
export interface InputRange {
  readonly topic: string;
  readonly partition: number;
  /** End offset, exclusive (a committed offset or a high watermark), decimal string. */
  readonly end: string;
}

/**
 * InputReader reads ranges of compacted topics. `scan` hands every record of the ranges to
 * `onRecords` in offset order per partition (partitions interleaved) and resolves once every
 * range was read to its end; `latest` keeps only the latest record per topic and key (tombstones
 * included), so its memory is bounded by the number of keys, not of records.
 */
export interface InputReader {
  scan(
    ranges: readonly InputRange[],
    onRecords: (records: readonly ConsumedRecord[]) => void | Promise<void>,
  ): Promise<void>;
  latest(ranges: readonly InputRange[]): Promise<ConsumedRecord[]>;
}

/**
 * LatestPerKey keeps the latest record per topic and key of what it is given (records of one
 * partition must arrive in offset order). Keyless records are dropped: on a keyed table they
 * have no row to update, and the live consumer dead-lettered them when it first read them.
 */
export class LatestPerKey {
  readonly #latest = new Map<string, ConsumedRecord>();

  add(record: ConsumedRecord): void {
    if (record.key === null) return;
    const id = `${record.topic}\u0000${record.key}`;
    // delete first so Map order is the order of the latest records (oldest first).
    this.#latest.delete(id);
    this.#latest.set(id, record);
  }

  records(): ConsumedRecord[] {
    return [...this.#latest.values()];
  }
}

/** latestPerKey returns the latest record per topic and key among `records`; see LatestPerKey. */
export function latestPerKey(records: Iterable<ConsumedRecord>): ConsumedRecord[] {
  const latest = new LatestPerKey();
  for (const record of records) latest.add(record);
  return latest.records();
}

/** InputReaderOptions tune `createInputReader`. */
export interface InputReaderOptions {
  readonly groupPrefix: string;
  /** A read that does not reach every range's end within this rejects (retryable). */
  readonly timeoutMs: number;
  /** Called after each batch with records read so far (progress for humans). */
  readonly onProgress?: (recordsRead: number) => void;
}

/**
 * createInputReader builds an InputReader on kafkajs. kafkajs has no group-less `assign`, so each
 * read joins a throwaway consumer group (fresh id, never committing, deleted afterwards), reads
 * the wanted partitions from the beginning, pauses every other partition it is given, and stops
 * at each range's end. It rejects with a retryable KAFKA_UNAVAILABLE when the ends are not reached
 * within `timeoutMs`.
 */
export function createInputReader(
  kafka: KafkaClient,
  logger: Logger,
  options: InputReaderOptions,
): InputReader {
  const scan: InputReader['scan'] = async (ranges, onRecords) => {
    const pending = new Map<string, bigint>();
    for (const range of ranges) {
      if (BigInt(range.end) > 0n) pending.set(`${range.topic}\u0000${range.partition}`, BigInt(range.end));
    }
    if (pending.size === 0) return;
    const ends = new Map(pending);
    const topics = [...new Set(ranges.map((r) => r.topic))];
    const groupId = `${options.groupPrefix}-reader-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    let read = 0;
    let failure: unknown = null;
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, pause }) => {
          const id = `${batch.topic}\u0000${batch.partition}`;
          const end = ends.get(id);
          if (end === undefined || !pending.has(id)) {
            pause();
            return;
          }
          const records: ConsumedRecord[] = [];
          for (const message of batch.messages) {
            if (BigInt(message.offset) >= end) break;
            records.push({
              topic: batch.topic,
              partition: batch.partition,
              offset: message.offset,
              key: message.key?.toString('utf8') ?? null,
              value: message.value,
              headers: {},
              timestampMs: Number(message.timestamp),
            });
          }
          try {
            if (records.length > 0) await onRecords(records);
          } catch (error) {
            failure = error;
            finish();
            return;
          }
          read += records.length;
          options.onProgress?.(read);
          if (BigInt(batch.lastOffset()) >= end - 1n) {
            pending.delete(id);
            pause();
            if (pending.size === 0) finish();
          }
        },
      });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
      });
      const outcome = await Promise.race([finished.then(() => 'done' as const), timedOut]);
      clearTimeout(timer);
      if (failure !== null) throw failure;
      if (outcome === 'timeout') {
        throw new DriftlineError('KAFKA_UNAVAILABLE', 'reading the compacted inputs timed out', {
          details: { topics: topics.join(','), timeoutMs: options.timeoutMs, unfinished: pending.size },
        });
      }
    } finally {
      await consumer.disconnect();
      const admin = kafka.admin();
      await admin
        .connect()
        .then(() => admin.deleteGroups([groupId]))
        .catch((error: unknown) =>
          logger.debug({ err: error, groupId }, 'throwaway reader group not deleted'),
        )
        .finally(() => admin.disconnect());
    }
  };
  return {
    scan,
    async latest(ranges) {
      const latest = new LatestPerKey();
      await scan(ranges, (records) => {
        for (const record of records) latest.add(record);
      });
      return latest.records();
    },
  };
}

/**
 * inMemoryInputReader is an InputReader over records already in memory (e.g. the in-memory
 * Kafka's `records(topic)`), for unit tests of the rebuild.
 */
export function inMemoryInputReader(recordsOf: (topic: string) => readonly ConsumedRecord[]): InputReader {
  const select = (ranges: readonly InputRange[]): ConsumedRecord[] =>
    ranges.flatMap((range) =>
      recordsOf(range.topic).filter(
        (r) => r.partition === range.partition && BigInt(r.offset) < BigInt(range.end),
      ),
    );
  return {
    async scan(ranges, onRecords) {
      const records = select(ranges);
      if (records.length > 0) await onRecords(records);
    },
    async latest(ranges) {
      return latestPerKey(select(ranges));
    },
  };
}
