import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { BulkWriteOutcome, SinkStorePort } from '../store.ts';
import type { SinkCollection, SinkDocument } from '../write-plan.ts';

/** FakeCall is one bulkWrite the fake saw. */
export interface FakeCall {
  readonly collection: SinkCollection;
  readonly models: readonly AnyBulkWriteOperation<SinkDocument>[];
}

/**
 * FakeStore is a scripted SinkStorePort: each bulkWrite is answered by the next scripted reply
 * (an outcome, or an error to throw), or by "all written" once the script is used up; `find`
 * answers from `documents`.
 */
export class FakeStore implements SinkStorePort {
  readonly calls: FakeCall[] = [];
  readonly finds: { collection: SinkCollection; filter: Document; fields?: readonly string[] }[] = [];
  readonly replies: (BulkWriteOutcome | Error | ((call: FakeCall) => BulkWriteOutcome))[] = [];
  documents: Partial<Record<SinkCollection, Document[]>> = {};

  async bulkWrite(collection: SinkCollection, models: readonly AnyBulkWriteOperation<SinkDocument>[]) {
    const call = { collection, models: [...models] };
    this.calls.push(call);
    const reply = this.replies.shift();
    if (reply === undefined) return { writeErrors: [] };
    if (reply instanceof Error) throw reply;
    return typeof reply === 'function' ? reply(call) : reply;
  }

  async find(collection: SinkCollection, filter: Document, fields?: readonly string[]) {
    this.finds.push(fields === undefined ? { collection, filter } : { collection, filter, fields });
    return this.documents[collection] ?? [];
  }

  async ping() {}
}

/** modelId is the `_id` a single-document model targets (filter `_id`), for assertions. */
export function modelId(model: AnyBulkWriteOperation<SinkDocument>): unknown {
  if ('updateOne' in model) return (model.updateOne.filter as Document)['_id'];
  if ('deleteOne' in model) return (model.deleteOne.filter as Document)['_id'];
  if ('insertOne' in model) return model.insertOne.document._id;
  return undefined;
}
