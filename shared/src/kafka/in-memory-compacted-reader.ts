import { topicsOf, type CompactedRead, type CompactedReader } from './compacted-reader.ts';
import { latestPerKey } from './latest-per-key.ts';
import type { ConsumedRecord } from './ports.ts';

/**
 * inMemoryCompactedReader is a CompactedReader over records already in memory (e.g. the in-memory
 * Kafka's `records(topic)`, which must list each partition in offset order), for unit tests. It
 * follows the same selection rules as the Kafka reader: `partitions`, `key` and `ends` (a
 * partition without an entry in `ends` is not read); without `ends` every record is read. `scan`
 * hands all selected records in one call.
 */
export function inMemoryCompactedReader(
  recordsOf: (topic: string) => readonly ConsumedRecord[],
): CompactedReader {
  const select = (read: CompactedRead): ConsumedRecord[] => {
    const ends =
      read.ends === undefined
        ? undefined
        : new Map(read.ends.map((e) => [`${e.topic}\u0000${e.partition}`, BigInt(e.end)]));
    return topicsOf(read).flatMap((topic) =>
      recordsOf(topic).filter((r) => {
        if (read.partitions !== undefined && !read.partitions.has(r.partition)) return false;
        if (read.key !== undefined && (r.key === null || !read.key(r.key))) return false;
        if (ends === undefined) return true;
        const end = ends.get(`${r.topic}\u0000${r.partition}`);
        return end !== undefined && BigInt(r.offset) < end;
      }),
    );
  };
  return {
    async scan(read, onRecords) {
      const records = select(read);
      if (records.length > 0) await onRecords(records);
    },
    async latest(read, onRead) {
      const records = select(read);
      if (records.length > 0) onRead?.(records.length);
      return latestPerKey(records);
    },
  };
}
