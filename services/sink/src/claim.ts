import type { Document } from 'mongodb';

/**
 * claimId is the `_id` of the claim document in `outstanding_operations` for one database key and
 * operation type: `<key>|<type>`. One document per pair, under MongoDB's always-unique `_id`
 * index, is what guarantees at most one outstanding operation per database and type even when
 * two sinks race. (A unique partial index on `operations` — `{key, type}` where outstanding —
 * would say the same, but mongo-java-server ignores `partialFilterExpression` and enforces the
 * index on every document; the claim collection behaves identically on both servers.)
 */
export function claimId(key: string, type: string): string {
  return `${key}|${type}`;
}

/** ClaimVersion is what orders two operations of one key and type: the newer desired wins. */
export interface ClaimVersion {
  readonly desiredGeneration: number;
  readonly createdAtMs: number;
}

/**
 * claimFilter matches the claim `id` when it is free or held by an older operation (lower
 * desired generation, or the same generation created earlier). Upserted, a newer operation takes
 * the claim; the same or an older one fails with duplicate key, which counts as written: the
 * claim is already held by the same or a newer operation (also after it was released, so a
 * replay never re-opens an achieved operation).
 */
export function claimFilter(id: string, version: ClaimVersion): Document {
  return {
    _id: id,
    $or: [
      { desiredGeneration: { $exists: false } },
      { desiredGeneration: { $lt: version.desiredGeneration } },
      { desiredGeneration: version.desiredGeneration, createdAtMs: { $lt: version.createdAtMs } },
    ],
  };
}

/** Claim is a document of `outstanding_operations`. */
export interface Claim {
  readonly _id: string;
  readonly key: string;
  readonly type: string;
  readonly operationId: string;
  readonly desiredGeneration: number;
  readonly createdAtMs: number;
  /** True once the drift resolved (the operation achieved it): nothing is outstanding. */
  readonly released: boolean;
  readonly stuck?: boolean;
}
