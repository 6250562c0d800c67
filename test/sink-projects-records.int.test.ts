import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Document } from 'mongodb';
import { SinkHarness, eventually } from '../services/sink/src/testing/int-harness.ts';
import { driftRecord, observedRecord, operationRecord } from '../services/sink/src/testing/records.ts';
import { stackEndpoints } from './support/stack.ts';

// The sink against the real broker, registry and Mongo-compatible server: records reach the
// operations, observed_state and drift collections; offsets are committed once written; a replay
// from the start (a new group) or an older version after a newer one changes nothing; the
// executor's status survives a replay; a tombstone deletes the projection; a resolved drift marks
// its operations achieved, also when the operation arrives after the resolution.

const keys = Array.from({ length: 20 }, (_, i) => `prov-a/team-1/MongoDB/db-${i}`);
const k = (i: number): string => keys[i] ?? 'missing';

async function snapshot(harness: SinkHarness): Promise<Record<string, Document[]>> {
  const out: Record<string, Document[]> = {};
  for (const name of ['operations', 'observed_state', 'drift', 'outstanding_operations']) {
    out[name] = await harness.db.collection(name).find({}).sort({ _id: 1 }).toArray();
  }
  return out;
}

async function caughtUp(harness: SinkHarness, group?: string): Promise<void> {
  for (const id of ['operations', 'observed', 'drift'] as const) {
    const ends = await harness.ends(id);
    const committed = await harness.committed(id, group);
    for (const [partition, end] of ends) {
      if (end === '0') continue;
      expect(committed.get(partition), `${id}[${partition}] committed`).toBe(end);
    }
  }
}

describe('the sink projects records into MongoDB', () => {
  const harness = new SinkHarness(stackEndpoints());

  beforeAll(async () => {
    await harness.start();
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('writes every record to its collection and commits the offsets afterwards', async () => {
    await harness.produce(
      'observed',
      keys.map((key) => ({ key, value: observedRecord({ resourceVersion: '100' }, key) })),
    );
    await harness.produce('operations', [
      { key: k(0), value: operationRecord({ operationId: 'op-0' }, k(0)) },
    ]);
    await harness.produce('drift', [{ key: k(0), value: driftRecord({ operationIds: ['op-0'] }, k(0)) }]);
    await harness.startSink();

    await eventually(async () => {
      expect(await harness.db.collection('observed_state').countDocuments()).toBe(20);
      const op = await harness.db.collection('operations').findOne({ _id: 'op-0' as never });
      expect(op).toMatchObject({
        key: k(0),
        status: 'pending',
        attempts: 0,
        outcome: 'outstanding',
        desiredGeneration: 2,
      });
      const drift = await harness.db.collection('drift').findOne({ _id: k(0) as never });
      expect(drift).toMatchObject({ status: 'opened', openedEventId: 'drift-1', operationIds: ['op-0'] });
      const claim = await harness.db
        .collection('outstanding_operations')
        .findOne({ _id: `${k(0)}|HorizontalScaling` as never });
      expect(claim).toMatchObject({ operationId: 'op-0', released: false });
    });
    await eventually(() => caughtUp(harness));
    const observed = await harness.db.collection('observed_state').findOne({ _id: k(3) as never });
    expect(observed).toMatchObject({ key: k(3), resourceVersion: '100', version: 100, replicas: 3 });
  });

  it('keeps a newer observed state when an older resourceVersion arrives after it', async () => {
    await harness.produce('observed', [
      { key: k(1), value: observedRecord({ resourceVersion: '110', replicas: 4 }, k(1)) },
      { key: k(1), value: observedRecord({ resourceVersion: '90', replicas: 1 }, k(1)) },
    ]);
    await eventually(() => caughtUp(harness));
    expect(await harness.db.collection('observed_state').findOne({ _id: k(1) as never })).toMatchObject({
      resourceVersion: '110',
      replicas: 4,
    });
  });

  it('never resets the executor’s status and attempts, and a replay from the start changes nothing', async () => {
    await harness.db
      .collection('operations')
      .updateOne({ _id: 'op-0' as never }, { $set: { status: 'running', attempts: 2 } });
    const before = await snapshot(harness);
    await harness.stopSinks();
    // A new group reads all three topics from the beginning: every record is replayed.
    const replayGroup = `replay-${harness.run}`;
    await harness.startSink({ env: { SINK_GROUP_ID: replayGroup } });
    await eventually(() => caughtUp(harness, replayGroup));
    expect(await snapshot(harness)).toEqual(before);
    expect(await harness.db.collection('operations').findOne({ _id: 'op-0' as never })).toMatchObject({
      status: 'running',
      attempts: 2,
    });
  });

  it('deletes the projection on a tombstone', async () => {
    await harness.produce('observed', [{ key: k(2), value: null }]);
    await eventually(async () => {
      expect(await harness.db.collection('observed_state').findOne({ _id: k(2) as never })).toBeNull();
    });
    expect(await harness.db.collection('observed_state').countDocuments()).toBe(19);
  });

  it('marks the operations of a resolved drift achieved, and releases their claim', async () => {
    await harness.produce('drift', [
      {
        key: k(0),
        value: driftRecord(
          {
            eventId: 'drift-2',
            status: 'resolved',
            keyStatus: 'in_sync',
            differences: [],
            sequence: 2,
            detectedAtMs: 2_000,
          },
          k(0),
        ),
      },
    ]);
    await eventually(async () => {
      expect(await harness.db.collection('operations').findOne({ _id: 'op-0' as never })).toMatchObject({
        outcome: 'achieved',
        achievedByEventId: 'drift-2',
        achievedAtMs: 2_000,
        status: 'running',
      });
    });
    const drift = await harness.db.collection('drift').findOne({ _id: k(0) as never });
    expect(drift).toMatchObject({ status: 'resolved', openedEventId: 'drift-1', resolvedEventId: 'drift-2' });
    // drift → operation → resolved is one query away.
    const achieved = await harness.db
      .collection('operations')
      .find({ achievedByEventId: drift?.['resolvedEventId'] })
      .toArray();
    expect(achieved.map((op) => op['_id'])).toEqual(['op-0']);
    expect(
      await harness.db
        .collection('outstanding_operations')
        .findOne({ _id: `${k(0)}|HorizontalScaling` as never }),
    ).toMatchObject({ released: true, releasedByEventId: 'drift-2' });
  });

  it('marks an operation achieved when it arrives after its drift resolved', async () => {
    await harness.produce('drift', [
      { key: k(5), value: driftRecord({ eventId: 'd5-open', detectedAtMs: 1_000 }, k(5)) },
      {
        key: k(5),
        value: driftRecord(
          { eventId: 'd5-resolved', status: 'resolved', sequence: 2, detectedAtMs: 3_000 },
          k(5),
        ),
      },
    ]);
    await eventually(async () => {
      expect(await harness.db.collection('drift').findOne({ _id: k(5) as never })).toMatchObject({
        status: 'resolved',
      });
    });
    await harness.produce('operations', [
      { key: k(5), value: operationRecord({ operationId: 'op-5', createdAtMs: 1_500 }, k(5)) },
    ]);
    await eventually(async () => {
      expect(await harness.db.collection('operations').findOne({ _id: 'op-5' as never })).toMatchObject({
        outcome: 'achieved',
        achievedByEventId: 'd5-resolved',
      });
    });
  });

  it('supersedes an outstanding operation by a newer one of the same key and type', async () => {
    await harness.produce('operations', [
      {
        key: k(6),
        value: operationRecord({ operationId: 'op-6a', desiredGeneration: 2, createdAtMs: 1_000 }, k(6)),
      },
    ]);
    await eventually(async () => {
      expect(await harness.db.collection('operations').findOne({ _id: 'op-6a' as never })).toMatchObject({
        outcome: 'outstanding',
      });
    });
    await harness.produce('operations', [
      {
        key: k(6),
        value: operationRecord({ operationId: 'op-6b', desiredGeneration: 3, createdAtMs: 2_000 }, k(6)),
      },
    ]);
    await eventually(async () => {
      const ops = await harness.db
        .collection('operations')
        .find({ key: k(6) })
        .sort({ _id: 1 })
        .toArray();
      expect(ops.map((op) => [op['_id'], op['outcome']])).toEqual([
        ['op-6a', 'superseded'],
        ['op-6b', 'outstanding'],
      ]);
    });
  });
});
