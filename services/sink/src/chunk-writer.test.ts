import { MongoNetworkError, MongoServerError, type AnyBulkWriteOperation } from 'mongodb';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createChunkWriter, type ChunkWriterOptions } from './chunk-writer.ts';
import { planRecord } from './projection.ts';
import { FakeStore, modelId } from './testing/fake-store.ts';
import { driftRecord, observedRecord, operationRecord } from './testing/records.ts';
import { newerThanStoredFilter } from './version-guard.ts';
import type { RecordPlan, SinkDocument } from './write-plan.ts';

const logger = pino({ level: 'silent' });

/** filters lists the filters of `updateOne` models (undefined for other kinds). */
function filters(models: readonly AnyBulkWriteOperation<SinkDocument>[] | undefined): unknown[] {
  return (models ?? []).map((m) => ('updateOne' in m ? m.updateOne.filter : undefined));
}

function observed(i: number, extra: Record<string, unknown> = {}): RecordPlan {
  const key = `p/n/MongoDB/db-${i}`;
  return planRecord({
    topic: 'observed',
    key,
    sourcePartition: 0,
    sourceOffset: i,
    value: { ...observedRecord({}, key), ...extra },
  });
}

function harness(overrides: Partial<ChunkWriterOptions> = {}) {
  const store = new FakeStore();
  // Older versions of db-0..db-9 are stored: their guarded upserts are sent as they are.
  store.documents = {
    observed_state: Array.from({ length: 10 }, (_, i) => ({
      _id: `p/n/MongoDB/db-${i}`,
      version: -5,
      sourceOffset: 0,
    })),
  };
  const sleeps: number[] = [];
  const events: string[] = [];
  const writer = createChunkWriter({
    store,
    maxAttempts: 3,
    initialDelayMs: 100,
    maxDelayMs: 1_000,
    logger,
    clock: { now: () => 0 },
    random: () => 0.5,
    sleep: async (ms) => void sleeps.push(ms),
    onUnavailable: () => void events.push('unavailable'),
    onAvailable: () => void events.push('available'),
    ...overrides,
  });
  return { store, writer, sleeps, events, signal: new AbortController().signal };
}

describe('createChunkWriter', () => {
  it('writes a chunk in one unordered bulkWrite per collection', async () => {
    const { store, writer, signal } = harness();
    const failures = await writer.write([observed(1), observed(2), observed(3)], signal);
    expect(failures.size).toBe(0);
    expect(store.calls.map((c) => [c.collection, c.models.length])).toEqual([['observed_state', 3]]);
  });

  it('counts duplicate key on a guarded upsert as written (a newer version is stored)', async () => {
    const { store, writer, signal } = harness();
    // Stored without a version: nothing to compare and set against, the guarded upsert goes as is.
    store.documents = { observed_state: [{ _id: 'p/n/MongoDB/db-1' }, { _id: 'p/n/MongoDB/db-2' }] };
    store.replies.push({ writeErrors: [{ index: 1, code: 11000, message: 'E11000' }] });
    expect((await writer.write([observed(1), observed(2)], signal)).size).toBe(0);
    expect(store.calls).toHaveLength(1);
    expect(filters(store.calls[0]?.models)).toEqual([
      newerThanStoredFilter('p/n/MongoDB/db-1', { version: 100, sourceOffset: 1 }),
      newerThanStoredFilter('p/n/MongoDB/db-2', { version: 100, sourceOffset: 2 }),
    ]);
  });

  it('replaces an older document by compare-and-set on the version it read, and sends the guarded upsert when it changed since', async () => {
    const { store, writer, signal } = harness();
    store.replies.push({ writeErrors: [{ index: 1, code: 11000, message: 'E11000' }] });
    expect((await writer.write([observed(1), observed(2)], signal)).size).toBe(0);
    expect(store.calls.map((c) => filters(c.models))).toEqual([
      [
        { _id: 'p/n/MongoDB/db-1', version: -5, sourceOffset: 0 },
        { _id: 'p/n/MongoDB/db-2', version: -5, sourceOffset: 0 },
      ],
      [newerThanStoredFilter('p/n/MongoDB/db-2', { version: 100, sourceOffset: 2 })],
    ]);
    expect(store.calls[0]?.models[0]).toMatchObject({
      updateOne: {
        upsert: true,
        update: { $set: { resourceVersion: '100', version: 100, sourceOffset: 1 } },
      },
    });
  });

  it('retries only the failed models, with jittered exponential backoff', async () => {
    const { store, writer, sleeps, signal } = harness();
    store.replies.push({
      writeErrors: [
        { index: 0, code: 112, message: 'WriteConflict' },
        { index: 2, code: 10107, message: 'NotWritablePrimary' },
      ],
    });
    store.replies.push({ writeErrors: [{ index: 1, code: 112, message: 'WriteConflict' }] });
    const failures = await writer.write([observed(1), observed(2), observed(3)], signal);
    expect(failures.size).toBe(0);
    expect(store.calls.map((c) => c.models.map(modelId))).toEqual([
      ['p/n/MongoDB/db-1', 'p/n/MongoDB/db-2', 'p/n/MongoDB/db-3'],
      ['p/n/MongoDB/db-1', 'p/n/MongoDB/db-3'],
      ['p/n/MongoDB/db-3'],
    ]);
    // Full jitter with random 0.5: half of 100 × 2^0, then half of 100 × 2^1.
    expect(sleeps).toEqual([50, 100]);
  });

  it('gives up after maxAttempts and reports the record retryable, the rest written', async () => {
    const { store, writer, signal } = harness();
    const conflict = { writeErrors: [{ index: 0, code: 112, message: 'WriteConflict' }] };
    store.replies.push(
      { writeErrors: [{ index: 1, code: 112, message: 'WriteConflict' }] },
      conflict,
      conflict,
      conflict,
    );
    const failures = await writer.write([observed(1), observed(2)], signal);
    expect([...failures]).toEqual([
      [
        1,
        {
          code: 'MONGO_UNAVAILABLE',
          message: 'still failing after 3 attempts: WriteConflict',
          retryable: true,
          attempts: 3,
        },
      ],
    ]);
    expect(store.calls).toHaveLength(3);
  });

  it('fails a record refused for good at once and goes on with the rest', async () => {
    const { store, writer, signal } = harness();
    store.replies.push({ writeErrors: [{ index: 0, code: 121, message: 'Document failed validation' }] });
    const failures = await writer.write([observed(1), observed(2)], signal);
    expect([...failures]).toEqual([
      [
        0,
        {
          code: 'MONGO_WRITE_REJECTED',
          message: 'Document failed validation',
          retryable: false,
          attempts: 1,
        },
      ],
    ]);
    expect(store.calls).toHaveLength(1);
  });

  it('refuses a document over 16 MiB before sending it', async () => {
    const { store, writer, signal } = harness();
    const failures = await writer.write(
      [observed(1, { correlationId: 'x'.repeat(17 * 1024 * 1024) }), observed(2)],
      signal,
    );
    expect(failures.get(0)).toMatchObject({ code: 'MONGO_WRITE_REJECTED', retryable: false });
    expect(failures.get(0)?.message).toContain('document too large');
    expect(store.calls.map((c) => c.models.map(modelId))).toEqual([['p/n/MongoDB/db-2']]);
  });

  it('waits out an unreachable MongoDB without dead-lettering, reporting unavailable then available once', async () => {
    const { store, writer, events, sleeps, signal } = harness();
    const down = new MongoNetworkError('connect ECONNREFUSED');
    store.replies.push(down, down, down, down, down);
    const failures = await writer.write([observed(1)], signal);
    expect(failures.size).toBe(0);
    expect(events).toEqual(['unavailable', 'available']);
    expect(sleeps).toHaveLength(5);
    expect(store.calls).toHaveLength(6);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const { store, writer } = harness({
      sleep: async (_ms, signal) => {
        controller.abort(new Error('stopping'));
        throw signal.reason;
      },
    });
    store.replies.push(new MongoNetworkError('down'));
    await expect(writer.write([observed(1)], controller.signal)).rejects.toThrow('stopping');
  });

  it('writes one by one when a whole call is refused for good, failing only the culprit', async () => {
    const { store, writer, signal } = harness();
    store.replies.push(new MongoServerError({ message: 'bad command', code: 2 }), { writeErrors: [] });
    store.replies.push(new MongoServerError({ message: 'bad document', code: 2 }));
    const failures = await writer.write([observed(1), observed(2), observed(3)], signal);
    expect([...failures.keys()]).toEqual([1]);
    expect(store.calls.map((c) => c.models.length)).toEqual([3, 1, 1, 1]);
  });

  it('rejects on an error that must crash (a programmer error)', async () => {
    const { store, writer, signal } = harness();
    store.replies.push(new TypeError('cannot read properties of undefined'));
    await expect(writer.write([observed(1)], signal)).rejects.toThrow(TypeError);
  });

  it('runs follow-ups after the writes: settles claims, late lineage, resolution lineage', async () => {
    const { store, writer, signal } = harness();
    const key = 'p/n/MongoDB/db-9';
    store.documents = {
      ...store.documents,
      outstanding_operations: [
        {
          _id: `${key}|HorizontalScaling`,
          key,
          type: 'HorizontalScaling',
          operationId: 'op-new',
          released: false,
        },
      ],
      drift: [{ _id: key, status: 'resolved', resolvedEventId: 'e-res', resolvedAtMs: 50 }],
      operations: [
        { _id: 'op-8', key: 'p/n/MongoDB/db-8', outcome: 'outstanding' },
        { _id: 'op-old', key, type: 'HorizontalScaling', outcome: 'outstanding' },
      ],
    };
    const operation = planRecord({
      topic: 'operations',
      key,
      sourcePartition: 0,
      sourceOffset: 1,
      value: operationRecord({}, key),
    });
    const resolved = planRecord({
      topic: 'drift',
      key: 'p/n/MongoDB/db-8',
      sourcePartition: 0,
      sourceOffset: 2,
      value: driftRecord({ status: 'resolved', eventId: 'e8', detectedAtMs: 70 }, 'p/n/MongoDB/db-8'),
    });
    expect((await writer.write([operation, resolved], signal)).size).toBe(0);
    expect(store.finds.map((f) => f.collection).slice(-5)).toEqual([
      'outstanding_operations',
      'operations',
      'operations',
      'outstanding_operations',
      'drift',
    ]);
    const followUps = store.calls
      .slice(-2)
      .flatMap((c) => c.models.map((m) => [c.collection, JSON.stringify(m)]));
    expect(followUps.filter(([, m]) => m?.includes('"superseded"'))).toHaveLength(1);
    expect(followUps.filter(([, m]) => m?.includes('"achievedByEventId":"e8"'))).toHaveLength(1);
    expect(followUps.filter(([, m]) => m?.includes('"achievedByEventId":"e-res"'))).toHaveLength(1);
  });

  it('settles a claim only when another operation of its key and type is outstanding', async () => {
    const { store, writer, signal } = harness();
    const op = (i: number) =>
      planRecord({
        topic: 'operations',
        key: `p/n/MongoDB/db-${i}`,
        sourcePartition: 0,
        sourceOffset: i,
        value: operationRecord({ operationId: `op-${i}` }, `p/n/MongoDB/db-${i}`),
      });
    const claim = (i: number) => ({
      _id: `p/n/MongoDB/db-${i}|HorizontalScaling`,
      key: `p/n/MongoDB/db-${i}`,
      type: 'HorizontalScaling',
      operationId: `op-${i}`,
      desiredGeneration: 1,
      createdAtMs: 1,
      released: false,
    });
    store.documents = {
      outstanding_operations: [claim(1), claim(2)],
      // db-1: only the holder is outstanding; db-2: an older one too.
      operations: [
        { _id: 'op-1', key: 'p/n/MongoDB/db-1', type: 'HorizontalScaling', outcome: 'outstanding' },
        { _id: 'op-2', key: 'p/n/MongoDB/db-2', type: 'HorizontalScaling', outcome: 'outstanding' },
        { _id: 'op-2-old', key: 'p/n/MongoDB/db-2', type: 'HorizontalScaling', outcome: 'outstanding' },
      ],
    };
    expect((await writer.write([op(1), op(2)], signal)).size).toBe(0);
    const settled = store.calls.flatMap((c) =>
      c.models.flatMap((m) =>
        'updateMany' in m && c.collection === 'operations' ? [m.updateMany.filter['key']] : [],
      ),
    );
    expect(settled).toEqual(['p/n/MongoDB/db-2']);
  });

  it('sends a resolution’s lineage only to collections holding something outstanding for its key', async () => {
    const { store, writer, signal } = harness();
    const resolved = (i: number) =>
      planRecord({
        topic: 'drift',
        key: `p/n/MongoDB/db-${i}`,
        sourcePartition: 0,
        sourceOffset: i,
        value: driftRecord({ status: 'resolved', eventId: `e${i}` }, `p/n/MongoDB/db-${i}`),
      });
    store.documents = {
      operations: [{ _id: 'op-1', key: 'p/n/MongoDB/db-1' }],
      outstanding_operations: [{ _id: 'p/n/MongoDB/db-2|HorizontalScaling', key: 'p/n/MongoDB/db-2' }],
    };
    expect((await writer.write([resolved(1), resolved(2), resolved(3)], signal)).size).toBe(0);
    expect(store.finds.slice(-2)).toEqual([
      {
        collection: 'operations',
        filter: {
          key: { $in: ['p/n/MongoDB/db-1', 'p/n/MongoDB/db-2', 'p/n/MongoDB/db-3'] },
          outcome: 'outstanding',
        },
        fields: ['key'],
      },
      {
        collection: 'outstanding_operations',
        filter: {
          key: { $in: ['p/n/MongoDB/db-1', 'p/n/MongoDB/db-2', 'p/n/MongoDB/db-3'] },
          released: false,
        },
        fields: ['key'],
      },
    ]);
    const lineage = store.calls
      .slice(1)
      .flatMap((c) =>
        c.models.map((m) => [c.collection, 'updateMany' in m ? m.updateMany.filter['key'] : undefined]),
      );
    expect(lineage).toEqual([
      ['operations', 'p/n/MongoDB/db-1'],
      ['outstanding_operations', 'p/n/MongoDB/db-2'],
    ]);
  });

  it('runs no follow-up for a record that failed', async () => {
    const { store, writer, signal } = harness();
    const resolved = planRecord({
      topic: 'drift',
      key: 'p/n/MongoDB/db-8',
      sourcePartition: 0,
      sourceOffset: 2,
      value: driftRecord({ status: 'resolved' }, 'p/n/MongoDB/db-8'),
    });
    store.replies.push({ writeErrors: [{ index: 0, code: 121, message: 'invalid' }] });
    expect((await writer.write([resolved], signal)).size).toBe(1);
    expect(store.calls).toHaveLength(1);
  });
  it('skips a write whose document is stored at the same or a newer version, without sending it', async () => {
    const { store, writer, signal } = harness();
    store.documents = { observed_state: [{ _id: 'p/n/MongoDB/db-1', version: 100, sourceOffset: 1 }] };
    expect((await writer.write([observed(1)], signal)).size).toBe(0);
    expect(store.finds[0]).toEqual({
      collection: 'observed_state',
      filter: { _id: { $in: ['p/n/MongoDB/db-1'] } },
      fields: ['version', 'sourceOffset'],
    });
    expect(store.calls).toEqual([]);
  });

  it('inserts a missing document whole, and falls back to the guarded upsert when it exists after all', async () => {
    const { store, writer, signal } = harness();
    store.documents = {};
    store.replies.push({ writeErrors: [{ index: 0, code: 11000, message: 'E11000' }] });
    expect((await writer.write([observed(1), observed(2)], signal)).size).toBe(0);
    const kinds = store.calls.map((c) => c.models.map((m) => Object.keys(m)[0]));
    expect(kinds).toEqual([['insertOne', 'insertOne'], ['updateOne']]);
    const inserted = store.calls[0]?.models[1];
    expect(inserted).toMatchObject({
      insertOne: {
        document: { _id: 'p/n/MongoDB/db-2', version: 100, sourceOffset: 2, resourceVersion: '100' },
      },
    });
    expect(store.calls[1]?.models.map(modelId)).toEqual(['p/n/MongoDB/db-1']);
  });

  it('never puts two writes of one document into the same bulkWrite', async () => {
    const { store, writer, signal } = harness();
    const key = 'p/n/MongoDB/db-1';
    const tombstone = planRecord({
      topic: 'observed',
      key,
      sourcePartition: 0,
      sourceOffset: 9,
      value: null,
    });
    expect((await writer.write([observed(1), tombstone, observed(2)], signal)).size).toBe(0);
    expect(store.calls.map((c) => c.models.map((m) => [Object.keys(m)[0], modelId(m)]))).toEqual([
      [
        ['updateOne', key],
        ['updateOne', 'p/n/MongoDB/db-2'],
      ],
      [['deleteOne', key]],
    ]);
  });
});
