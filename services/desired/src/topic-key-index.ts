import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { SourceCollection } from './change.ts';
import { KeyIndex } from './key-index.ts';
import { RECORD_HEADERS } from './kafka-publisher.ts';
import type { KeyIndexSourcePort } from './ports.ts';

/** TopicKeyIndexOptions name the output topics and bound the read. */
export interface TopicKeyIndexOptions {
  readonly kafka: Kafka;
  readonly topics: Readonly<Record<SourceCollection, string>>;
  /** Group id prefix of the throw-away reader groups (deleted after each read). */
  readonly groupIdPrefix: string;
  /** Longest a full read may take before it fails (the pipeline then retries with backoff). */
  readonly timeoutMs: number;
}

/**
 * createTopicKeyIndex rebuilds a collection's KeyIndex by reading its compacted output topic from
 * the beginning to the high watermarks taken at the start of the read: the latest record per key
 * wins, a tombstone removes the key, and the `driftline-source-id` header names the document. It
 * uses a throw-away consumer group that commits nothing and is deleted afterwards.
 */
export function createTopicKeyIndex(options: TopicKeyIndexOptions): KeyIndexSourcePort {
  return {
    async load(collection: SourceCollection): Promise<KeyIndex> {
      const topic = options.topics[collection];
      const index = new KeyIndex();
      const admin = options.kafka.admin();
      await admin.connect();
      const groupId = `${options.groupIdPrefix}-${collection}-${randomUUID()}`;
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        const remaining = new Map<number, bigint>();
        for (const o of offsets) {
          if (BigInt(o.high) > BigInt(o.low)) remaining.set(o.partition, BigInt(o.high) - 1n);
        }
        if (remaining.size === 0) return index;
        const consumer = options.kafka.consumer({
          groupId,
          allowAutoTopicCreation: false,
          maxWaitTimeInMs: 250,
        });
        await consumer.connect();
        try {
          await consumer.subscribe({ topic, fromBeginning: true });
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`reading ${topic} to its end took over ${options.timeoutMs} ms`)),
              options.timeoutMs,
            );
            consumer
              .run({
                autoCommit: false,
                eachBatch: async ({ batch }) => {
                  const last = remaining.get(batch.partition);
                  for (const message of batch.messages) {
                    const key = message.key?.toString('utf8');
                    if (key === undefined) continue;
                    if (message.value === null) index.removeKey(key);
                    else {
                      const sourceId = message.headers?.[RECORD_HEADERS.sourceId];
                      const documentId = sourceId === undefined ? undefined : String(sourceId);
                      // A record without the header (written by another tool) still counts as held.
                      index.set(documentId ?? `key:${key}`, key);
                    }
                    if (last !== undefined && BigInt(message.offset) >= last)
                      remaining.delete(batch.partition);
                  }
                  if (remaining.size === 0) {
                    clearTimeout(timer);
                    resolve();
                  }
                },
              })
              .catch(reject);
          });
        } finally {
          await consumer.disconnect();
        }
        return index;
      } finally {
        await admin.deleteGroups([groupId]).catch(() => undefined);
        await admin.disconnect();
      }
    },
  };
}
