import type { Document } from 'mongodb';

/**
 * RecordVersion orders two writes of one document: `version` first (desired generation for
 * operations, observed resourceVersion, drift detection time), then `sourceOffset` (the Kafka offset
 * the record was read from; a key lives in one partition, so its offsets order its records).
 */
export interface RecordVersion {
  readonly version: number;
  readonly sourceOffset: number;
}

// A resourceVersion that is not a decimal integer (the API server calls it opaque) sorts below
// every numeric one and, among its kind, by source offset alone.
const UNORDERED_VERSION = -1;

/**
 * resourceVersionOrder reads an observed resourceVersion as a version number: the decimal
 * integer it spells when it is one (the fleet's resourceVersions are etcd revisions, integers)
 * and fits in 2^53, else -1, so such records are ordered by their source offset alone.
 */
export function resourceVersionOrder(resourceVersion: string): number {
  if (!/^\d{1,16}$/.test(resourceVersion)) return UNORDERED_VERSION;
  const value = Number(resourceVersion);
  return Number.isSafeInteger(value) ? value : UNORDERED_VERSION;
}

/**
 * sourceOffsetOf converts a Kafka offset (int64 decimal string) to a number. Offsets stay far
 * below 2^53 in practice (a partition would need 9 quadrillion records); a bigger one throws a
 * RangeError rather than compare wrongly.
 */
export function sourceOffsetOf(offset: string): number {
  const value = Number(offset);
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`unusable Kafka offset ${offset}`);
  return value;
}

/**
 * isNewer is the version guard as a pure decision: may a write at `incoming` replace a document
 * stored at `stored` (null: no document, or one written without a version)? Strictly newer only,
 * so replaying the same record is a no-op. `newerThanStoredFilter` states the same rule as a
 * MongoDB filter; the integration tests prove the two agree.
 */
export function isNewer(incoming: RecordVersion, stored: RecordVersion | null): boolean {
  if (stored === null) return true;
  if (incoming.version !== stored.version) return incoming.version > stored.version;
  return incoming.sourceOffset > stored.sourceOffset;
}

/**
 * newerThanStoredFilter matches the document `_id` only when it is missing a version or holds an
 * older one than `incoming` (see `isNewer`). Used with `upsert: true`, a stale write matches
 * nothing, tries to insert `_id` again and fails with duplicate key (11000): the sink reads that
 * as "a newer or the same record is already there" and counts it as written. (mongo-java-server
 * does not run pipeline updates, so `$cond` updates are not an option; this filter works on both.)
 */
export function newerThanStoredFilter(id: string, incoming: RecordVersion): Document {
  return {
    _id: id,
    $or: [
      { version: { $exists: false } },
      { version: { $lt: incoming.version } },
      { version: incoming.version, sourceOffset: { $lt: incoming.sourceOffset } },
    ],
  };
}

/**
 * storedVersionFilter matches the document `_id` only while it still holds exactly `stored`: the
 * compare-and-set form of the guard, for a document read before the write. It is pure equality
 * on `_id`, `version` and `sourceOffset`, which the unique index `id_version_offset` (see
 * `mongo-store.ts`) answers on every server; mongo-java-server uses an index only when the filter
 * names exactly its fields, so the `$or` of `newerThanStoredFilter` scans the whole collection
 * there. Used with `upsert: true`, a document that changed since it was read makes the upsert
 * insert `_id` again and fail with duplicate key (11000).
 */
export function storedVersionFilter(id: string, stored: RecordVersion): Document {
  return { _id: id, version: stored.version, sourceOffset: stored.sourceOffset };
}

/**
 * olderThanTombstoneFilter matches the document `_id` only when it was written from an offset
 * below the tombstone's: a tombstone deletes what came before it on the partition, never a
 * record that followed it.
 */
export function olderThanTombstoneFilter(id: string, tombstoneOffset: number): Document {
  return { _id: id, $or: [{ sourceOffset: { $exists: false } }, { sourceOffset: { $lt: tombstoneOffset } }] };
}
