import type { ConsumedRecord } from './ports.ts';

/**
 * LatestPerKey folds records into a compacted topic's table: the latest record per topic and key
 * (a tombstone is kept as the latest record, so a caller can tell "deleted" from "never seen").
 * Records of one partition must arrive in offset order; partitions may interleave. Keyless records
 * are dropped: a keyed table has no row for them. Memory is bounded by the number of keys, not of
 * records.
 */
export class LatestPerKey {
  readonly #latest = new Map<string, ConsumedRecord>();

  /** add makes `record` the latest of its topic and key. */
  add(record: ConsumedRecord): void {
    if (record.key === null) return;
    const id = `${record.topic}\u0000${record.key}`;
    // delete first so Map order is the order of the latest records (oldest first).
    this.#latest.delete(id);
    this.#latest.set(id, record);
  }

  /** size is the number of keys (tombstoned ones included). */
  get size(): number {
    return this.#latest.size;
  }

  /** records lists the latest record per topic and key, the oldest latest record first. */
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
