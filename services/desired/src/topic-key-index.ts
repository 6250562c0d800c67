import type { CompactedReader } from '@driftline/shared/kafka';
import type { SourceCollection } from './change.ts';
import { KeyIndex } from './key-index.ts';
import { RECORD_HEADERS } from './kafka-publisher.ts';
import type { KeyIndexSourcePort } from './ports.ts';

/** TopicKeyIndexOptions name the output topics and the reader that reads them as tables. */
export interface TopicKeyIndexOptions {
  /** The shared compacted reader (throwaway groups, bounded by its timeout; the pipeline retries). */
  readonly reader: CompactedReader;
  readonly topics: Readonly<Record<SourceCollection, string>>;
}

/**
 * createTopicKeyIndex rebuilds a collection's KeyIndex by reading its compacted output topic as a
 * table, from the beginning to the high watermarks taken at the start of the read: the latest
 * record per key wins, a tombstone removes the key, and the `driftline-source-id` header names the
 * document. A read that fails or times out rejects (the pipeline then retries with backoff).
 */
export function createTopicKeyIndex(options: TopicKeyIndexOptions): KeyIndexSourcePort {
  return {
    async load(collection: SourceCollection): Promise<KeyIndex> {
      const index = new KeyIndex();
      const table = await options.reader.latest({ topics: [options.topics[collection]] });
      for (const record of table) {
        if (record.key === null) continue;
        if (record.value === null) {
          index.removeKey(record.key);
          continue;
        }
        // A record without the header (written by another tool) still counts as held.
        index.set(record.headers[RECORD_HEADERS.sourceId] ?? `key:${record.key}`, record.key);
      }
      return index;
    },
  };
}
