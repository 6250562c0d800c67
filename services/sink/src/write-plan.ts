import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { RecordVersion } from './version-guard.ts';

/**
 * SinkCollection names the MongoDB collections the sink owns: the three projections and
 * `outstanding_operations`, which holds one claim per database key and operation type.
 */
export type SinkCollection = 'operations' | 'observed_state' | 'drift' | 'outstanding_operations';

/** sinkCollections lists every SinkCollection, in the order indexes are ensured. */
export const sinkCollections: readonly SinkCollection[] = [
  'operations',
  'observed_state',
  'drift',
  'outstanding_operations',
];

/** SinkDocument is any document of a sink collection: every `_id` is a string. */
export type SinkDocument = Document & { _id: string };

/**
 * PlannedWrite is one bulkWrite model and what it touches. `id` is the document it writes (the
 * dispatcher never runs two chunks touching the same document at once); `staleIsWritten` says a
 * duplicate-key error (11000) means "a newer or the same version is stored" and counts as written
 * (true for every version-guarded upsert).
 */
export interface PlannedWrite {
  readonly collection: SinkCollection;
  readonly id: string;
  readonly model: AnyBulkWriteOperation<SinkDocument>;
  readonly staleIsWritten: boolean;
  /**
   * For a version-guarded upsert: its version, the whole document it creates when none is stored,
   * and its update. The chunk writer reads the stored versions first and then skips a stale write,
   * inserts a missing document with `insertOne`, and replaces an older one with `update` under a
   * compare-and-set on the version it read; the guarded upsert is the fallback when either finds
   * the document changed since the read (see `chunk-writer.ts`).
   */
  readonly guard?: {
    readonly version: RecordVersion;
    readonly document: SinkDocument;
    readonly update: Document;
  };
}

/**
 * FollowUp is work a record causes once its own writes are acknowledged: the lineage of a
 * resolved drift, or settling which operation holds the claim of a key and type.
 */
export type FollowUp =
  | {
      readonly type: 'resolve-lineage';
      readonly key: string;
      readonly eventId: string;
      readonly atMs: number;
    }
  | { readonly type: 'late-lineage'; readonly key: string }
  | { readonly type: 'settle-claim'; readonly key: string; readonly operationType: string };

/** RecordPlan is everything one consumed record makes the sink write. */
export interface RecordPlan {
  readonly writes: readonly PlannedWrite[];
  readonly followUps: readonly FollowUp[];
}

/** emptyPlan is the plan of a record that needs no write (e.g. an operations tombstone). */
export const emptyPlan: RecordPlan = Object.freeze({ writes: [], followUps: [] });
