import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { SinkCollection, SinkDocument } from './write-plan.ts';

/**
 * WriteFailure is one model of a bulkWrite that MongoDB refused: `index` into the models passed,
 * the server error `code` and its message.
 */
export interface WriteFailure {
  readonly index: number;
  readonly code: number;
  readonly message: string;
}

/** BulkWriteOutcome lists the models of an acknowledged bulkWrite that failed (empty: all written). */
export interface BulkWriteOutcome {
  readonly writeErrors: readonly WriteFailure[];
}

/**
 * SinkStorePort is all the sink needs from MongoDB. `bulkWrite` runs the models unordered and
 * acknowledged: it resolves with per-model failures, and rejects only when the call as a whole
 * failed (unreachable server, not primary, timeout, a rejected command). Fault-injection tests
 * wrap it.
 */
export interface SinkStorePort {
  bulkWrite(
    collection: SinkCollection,
    models: readonly AnyBulkWriteOperation<SinkDocument>[],
  ): Promise<BulkWriteOutcome>;
  /** find returns the matching documents, only `_id` and the `fields` named when any are. */
  find(collection: SinkCollection, filter: Document, fields?: readonly string[]): Promise<Document[]>;
  /** ping resolves when the server answers; used to tell "MongoDB is back". */
  ping(): Promise<void>;
}
