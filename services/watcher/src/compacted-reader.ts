import { randomUUID } from 'node:crypto';
import { DriftlineError } from '@driftline/shared/errors';
import type { Logger } from '@driftline/shared/logging';
import type { Kafka } from 'kafkajs';

/** CompactedEntry is the latest record of one key: its value (`null` = tombstone) and position. */
export interface CompactedEntry {
  readonly value: Buffer | null;
  readonly partition: number;
  readonly offset: bigint;
}

/** CompactedReadFilter narrows a read to some partitions and/or keys. */
export interface CompactedReadFilter {
  readonly partitions?: ReadonlySet<number>;
  readonly key?: (key: string) => boolean;
}

/**
 * CompactedReader reads a compacted topic as a table: every partition (or those in the filter)
 * from the beginning up to the high watermark it had when the read started, keeping the latest
 * record per key (tombstones included, so a caller can tell "deleted" from "never seen").
 * Records written after the read started are not waited for: the caller sees them live.
 */
export interface CompactedReader {
  read(topic: string, filter?: CompactedReadFilter): Promise<Map<string, CompactedEntry>>;
}

/**
 * createCompactedReader builds a `CompactedReader` on kafkajs. Each read joins a fresh,
 * throwaway consumer group (kafkajs has no group-less assignment), never commits, and deletes
 * the group afterwards. A read that does not reach the high watermarks within `timeoutMs`
 * rejects with a retryable `KAFKA_UNAVAILABLE`.
 */
export function createCompactedReader(kafka: Kafka, logger: Logger, timeoutMs = 60_000): CompactedReader {
  return {
    async read(topic, filter = {}) {
      const admin = kafka.admin();
      await admin.connect();
      const table = new Map<string, CompactedEntry>();
      const groupId = `driftline-watcher-reader-${randomUUID()}`;
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        const targets = new Map<number, bigint>();
        for (const o of offsets) {
          if (filter.partitions !== undefined && !filter.partitions.has(o.partition)) continue;
          if (BigInt(o.high) > BigInt(o.low)) targets.set(o.partition, BigInt(o.high));
        }
        if (targets.size === 0) return table;
        const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
        await consumer.connect();
        try {
          await consumer.subscribe({ topic, fromBeginning: true });
          const pending = new Set(targets.keys());
          let finish: () => void = () => undefined;
          const finished = new Promise<void>((resolve) => (finish = resolve));
          await consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const high = targets.get(batch.partition);
              if (high === undefined) return;
              for (const message of batch.messages) {
                const offset = BigInt(message.offset);
                if (offset >= high) break;
                const key = message.key?.toString('utf8');
                if (key === undefined || (filter.key !== undefined && !filter.key(key))) continue;
                table.set(key, { value: message.value, partition: batch.partition, offset });
              }
              if (BigInt(batch.lastOffset()) >= high - 1n) {
                pending.delete(batch.partition);
                if (pending.size === 0) finish();
              }
            },
          });
          let timer: NodeJS.Timeout | undefined;
          const timedOut = new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), timeoutMs);
          });
          const outcome = await Promise.race([finished, timedOut]);
          clearTimeout(timer);
          if (outcome === 'timeout') {
            throw new DriftlineError(
              'KAFKA_UNAVAILABLE',
              `reading ${topic} to its high watermark timed out`,
              {
                details: { topic, timeoutMs },
              },
            );
          }
        } finally {
          await consumer.disconnect();
        }
        await admin.deleteGroups([groupId]).catch((error: unknown) => {
          logger.debug({ err: error, groupId }, 'throwaway reader group not deleted');
        });
        return table;
      } finally {
        await admin.disconnect();
      }
    },
  };
}
