import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimFilter, claimId } from '../services/sink/src/claim.ts';
import { createMongoStore, ensureSinkIndexes } from '../services/sink/src/mongo-store.ts';
import { planRecord } from '../services/sink/src/projection.ts';
import type { SinkStorePort } from '../services/sink/src/store.ts';
import { observedRecord } from '../services/sink/src/testing/records.ts';
import { isNewer, storedVersionFilter, type RecordVersion } from '../services/sink/src/version-guard.ts';
import { sortWriteErrors } from '../services/sink/src/write-outcome.ts';
import { stackEndpoints } from './support/stack.ts';

// The version guard as MongoDB filters, run straight against the Mongo-compatible server (no
// pre-read, no fast path): the guarded upsert applies exactly when `isNewer` says so, and a stale
// one fails with duplicate key, which the sink counts as written; the compare-and-set the sink
// sends after its pre-read replaces only the version it read; a tombstone deletes only what an
// earlier offset wrote; a claim moves only to a newer operation.

const key = 'prov-v/team-v/MongoDB/guarded';

describe('the version guard on the server', () => {
  let client: MongoClient;
  let db: Db;
  let store: SinkStorePort;

  beforeAll(async () => {
    client = new MongoClient(stackEndpoints().mongoUrl);
    await client.connect();
    db = client.db(`guard_${randomUUID().slice(0, 8)}`);
    await ensureSinkIndexes(db);
    store = createMongoStore(db);
  });
  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  async function write(resourceVersion: string, offset: number, replicas: number) {
    const plan = planRecord({
      topic: 'observed',
      key,
      sourcePartition: 0,
      sourceOffset: offset,
      value: observedRecord({ resourceVersion, replicas }, key),
    });
    const writes = plan.writes;
    const outcome = await store.bulkWrite(
      'observed_state',
      writes.map((w) => w.model),
    );
    return sortWriteErrors(
      writes.map((w) => w.staleIsWritten),
      outcome.writeErrors,
    );
  }

  async function stored(): Promise<RecordVersion & { replicas: number }> {
    const doc = await db.collection('observed_state').findOne({ _id: key as never });
    return { version: doc?.['version'], sourceOffset: doc?.['sourceOffset'], replicas: doc?.['replicas'] };
  }

  it('applies a write exactly when isNewer says so, and reports a stale one as written', async () => {
    const steps: [string, number, number][] = [
      ['100', 5, 1], // no document: inserted
      ['100', 5, 2], // the same record replayed: stale
      ['90', 9, 3], // older resourceVersion, later offset: stale
      ['110', 3, 4], // newer resourceVersion, earlier offset: applied
      ['110', 4, 5], // same resourceVersion, later offset: applied
      ['abc', 20, 6], // opaque resourceVersion sorts below numeric ones: stale
    ];
    for (const [rv, offset, replicas] of steps) {
      const before = await stored().then((s) => (s.version === undefined ? null : s));
      const incoming = { version: rv === 'abc' ? -1 : Number(rv), sourceOffset: offset };
      const sorted = await write(rv, offset, replicas);
      expect(sorted, `rv ${rv} offset ${offset}`).toEqual({ written: [0], retry: [], refused: [] });
      const after = await stored();
      if (isNewer(incoming, before)) expect(after).toEqual({ ...incoming, replicas });
      else expect(after).toEqual(before);
    }
    expect(await stored()).toEqual({ version: 110, sourceOffset: 4, replicas: 5 });
  });

  it('replaces by compare-and-set only the version read, and fails with duplicate key once it changed', async () => {
    const id = `${key}-cas`;
    const cas = async (read: RecordVersion, next: RecordVersion, replicas: number) => {
      const outcome = await store.bulkWrite('observed_state', [
        {
          updateOne: {
            filter: storedVersionFilter(id, read),
            update: { $set: { ...next, replicas } },
            upsert: true,
          },
        },
      ]);
      return outcome.writeErrors.map((e) => e.code);
    };
    const now = Date.now(); // beyond int32, as drift versions (detection times) are
    await db.collection('observed_state').insertOne({ _id: id as never, version: now, sourceOffset: 1 });
    expect(await cas({ version: now, sourceOffset: 1 }, { version: now, sourceOffset: 7 }, 2)).toEqual([]);
    // A second writer that read the same version comes too late.
    expect(await cas({ version: now, sourceOffset: 1 }, { version: now + 1, sourceOffset: 3 }, 3)).toEqual([
      11000,
    ]);
    const doc = await db.collection('observed_state').findOne({ _id: id as never });
    expect(doc).toEqual({ _id: id, version: now, sourceOffset: 7, replicas: 2 });
  });

  it('deletes on a tombstone only what an earlier offset wrote', async () => {
    const tombstone = (offset: number) =>
      planRecord({
        topic: 'observed',
        key,
        sourcePartition: 0,
        sourceOffset: offset,
        value: null,
      }).writes.map((w) => w.model);
    await store.bulkWrite('observed_state', tombstone(2));
    expect(await db.collection('observed_state').countDocuments({ _id: key as never })).toBe(1);
    await store.bulkWrite('observed_state', tombstone(30));
    expect(await db.collection('observed_state').countDocuments({ _id: key as never })).toBe(0);
  });

  it('moves a claim only to a newer operation', async () => {
    const id = claimId(key, 'HorizontalScaling');
    const claim = async (operationId: string, desiredGeneration: number, createdAtMs: number) => {
      const outcome = await store.bulkWrite('outstanding_operations', [
        {
          updateOne: {
            filter: claimFilter(id, { desiredGeneration, createdAtMs }),
            update: { $set: { operationId, desiredGeneration, createdAtMs, released: false } },
            upsert: true,
          },
        },
      ]);
      return outcome.writeErrors.map((e) => e.code);
    };
    expect(await claim('op-2', 2, 100)).toEqual([]);
    expect(await claim('op-1', 1, 500)).toEqual([11000]);
    expect(await claim('op-2', 2, 100)).toEqual([11000]);
    expect(await claim('op-3', 3, 50)).toEqual([]);
    const holder = await db.collection('outstanding_operations').findOne({ _id: id as never });
    expect(holder?.['operationId']).toBe('op-3');
  });
});
