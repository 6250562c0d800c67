import { MongoBulkWriteError, type Db, type Document } from 'mongodb';
import type { SinkStorePort, WriteFailure } from './store.ts';
import type { SinkDocument } from './write-plan.ts';

function writeFailures(error: MongoBulkWriteError): WriteFailure[] {
  const raw: unknown = error.writeErrors;
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  return list.map((entry: { index: number; code: number; errmsg?: string }) => ({
    index: entry.index,
    code: entry.code,
    message: entry.errmsg ?? `write error ${entry.code}`,
  }));
}

/**
 * ensureSinkIndexes creates the secondary indexes the sink's queries use (idempotent):
 * lineage (`operations` by key and outcome, claims by key), the stuck sweep (claims by release
 * state and age) and drift by status. Uniqueness needs no index of its own: claims are unique by
 * `_id` (see `claim.ts`). `id_version_offset` on the version-guarded collections answers the
 * compare-and-set of `storedVersionFilter`: MongoDB would find it through `_id` anyway, but
 * mongo-java-server (the local stack and the tests) uses an index only when a filter names
 * exactly its fields, and scans the collection otherwise; unique because it holds `_id`, the
 * only unique index it can plan with.
 */
export async function ensureSinkIndexes(db: Db): Promise<void> {
  for (const collection of ['operations', 'observed_state', 'drift'] as const) {
    await db
      .collection(collection)
      .createIndex({ _id: 1, version: 1, sourceOffset: 1 }, { name: 'id_version_offset', unique: true });
  }
  await db
    .collection('operations')
    .createIndex({ key: 1, type: 1, outcome: 1 }, { name: 'key_type_outcome' });
  await db
    .collection('outstanding_operations')
    .createIndex({ key: 1, released: 1 }, { name: 'key_released' });
  await db
    .collection('outstanding_operations')
    .createIndex({ released: 1, createdAtMs: 1 }, { name: 'released_created' });
  await db.collection('drift').createIndex({ status: 1 }, { name: 'status' });
}

/**
 * createMongoStore is the SinkStorePort over one MongoDB database. bulkWrite is unordered (one
 * refused document does not stop the others) with the client's write concern; a
 * MongoBulkWriteError that lists write errors becomes a resolved outcome naming them, anything
 * else (no write errors: a write-concern failure, a network error) rejects unchanged for
 * `classify`.
 */
export function createMongoStore(db: Db): SinkStorePort {
  return {
    async bulkWrite(collection, models) {
      if (models.length === 0) return { writeErrors: [] };
      try {
        await db.collection<SinkDocument>(collection).bulkWrite([...models], { ordered: false });
        return { writeErrors: [] };
      } catch (error) {
        if (error instanceof MongoBulkWriteError) {
          const failures = writeFailures(error);
          if (failures.length > 0) return { writeErrors: failures };
        }
        throw error;
      }
    },
    async find(collection, filter, fields) {
      const projection = fields === undefined ? undefined : Object.fromEntries(fields.map((f) => [f, 1]));
      return db
        .collection(collection)
        .find<Document>(filter, projection === undefined ? {} : { projection })
        .toArray();
    },
    async ping() {
      await db.command({ ping: 1 });
    },
  };
}
