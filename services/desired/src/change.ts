/** SourceCollection names the two platform collections the desired service tails. */
export type SourceCollection = 'databases' | 'providers';

/** SOURCE_COLLECTIONS lists the tailed collections in the order they are snapshotted. */
export const SOURCE_COLLECTIONS: readonly SourceCollection[] = ['providers', 'databases'];

/**
 * ClusterTime is a MongoDB cluster time (BSON Timestamp): `t` seconds since the epoch and `i`
 * the ordinal within that second. Changes are totally ordered by (t, i).
 */
export interface ClusterTime {
  readonly t: number;
  readonly i: number;
}

/**
 * SourceChange is one change of one document, as the adapter hands it to the pure translator:
 * a change-stream event (`insert` | `update` | `replace` | `delete`) or a document read by a
 * snapshot (`snapshot`). `documentId` is the canonical string form of `_id`; `document` is the
 * full document after the change (the post-image, the `updateLookup` result, the inserted or
 * snapshotted document) or null for deletes and for updates whose document is already gone;
 * `sizeBytes` is its BSON size. `clusterTime` is the change's cluster time, or, for snapshot
 * reads, the cluster time of the position taken before the snapshot began.
 */
export interface SourceChange {
  readonly collection: SourceCollection;
  readonly operationType: 'insert' | 'update' | 'replace' | 'delete' | 'snapshot';
  readonly documentId: string;
  readonly document: Readonly<Record<string, unknown>> | null;
  readonly sizeBytes: number;
  readonly clusterTime: ClusterTime | null;
  readonly wallTimeMs: number | null;
  /**
   * The document's raw BSON, when the adapter read it raw (snapshot pages): the common
   * `databases` shape is then read from the bytes, and `document` is only decoded on first read.
   */
  readonly bson?: Buffer;
}

// Every record of a snapshot carries the one cluster time the snapshot started at: the text of
// the last time formatted is kept, so it is written once rather than once per record.
let lastFormatted: { readonly time: ClusterTime; readonly text: string } | null = null;

/** formatClusterTime renders a cluster time as the contract's `"t.i"` string. */
export function formatClusterTime(time: ClusterTime): string {
  if (lastFormatted?.time === time) return lastFormatted.text;
  const text = `${time.t}.${time.i}`;
  lastFormatted = { time, text };
  return text;
}

/** compareClusterTime orders cluster times: negative when a is older than b, 0 when equal. */
export function compareClusterTime(a: ClusterTime, b: ClusterTime): number {
  return a.t === b.t ? a.i - b.i : a.t - b.t;
}

// 2^21 ordinals per second (2 million writes in one second on one replica set) leave 32 bits for
// seconds (until 2106) inside Number.MAX_SAFE_INTEGER (2^53).
const ordinalBits = 2 ** 21;

/**
 * generationFromClusterTime derives a monotonic generation from a cluster time when the source
 * document carries none: `t * 2^21 + min(i, 2^21 - 1)`. It is exact for fewer than 2^21 writes
 * per second and always a safe integer.
 */
export function generationFromClusterTime(time: ClusterTime): number {
  return time.t * ordinalBits + Math.min(time.i, ordinalBits - 1);
}
