import { describe, expect, it } from 'vitest';
import { planRecord } from './projection.ts';
import { driftRecord, observedRecord, operationRecord, SINK_TEST_KEY } from './testing/records.ts';

const at = { key: SINK_TEST_KEY, sourcePartition: 2, sourceOffset: 41 };

describe('planRecord', () => {
  it('upserts an operation by operationId, guarded by desired generation then offset, lifecycle only on insert', () => {
    const plan = planRecord({
      ...at,
      topic: 'operations',
      value: operationRecord({ operationId: 'op-1', desiredGeneration: 7 }),
    });
    const [op, claim] = plan.writes;
    expect(op).toMatchObject({ collection: 'operations', id: 'op-1', staleIsWritten: true });
    expect(op?.model).toMatchObject({
      updateOne: {
        filter: {
          _id: 'op-1',
          $or: [
            { version: { $exists: false } },
            { version: { $lt: 7 } },
            { version: 7, sourceOffset: { $lt: 41 } },
          ],
        },
        update: {
          $set: {
            version: 7,
            sourceOffset: 41,
            sourcePartition: 2,
            key: SINK_TEST_KEY,
            type: 'HorizontalScaling',
          },
          $setOnInsert: { status: 'pending', attempts: 0, outcome: 'outstanding', stuck: false },
        },
        upsert: true,
      },
    });
    const set = (op?.model as { updateOne: { update: { $set: Record<string, unknown> } } }).updateOne.update
      .$set;
    expect(set).not.toHaveProperty('status');
    expect(set).not.toHaveProperty('attempts');
    expect(set).not.toHaveProperty('operationId');
    expect(claim).toMatchObject({
      collection: 'outstanding_operations',
      id: `${SINK_TEST_KEY}|HorizontalScaling`,
      staleIsWritten: true,
    });
    expect(plan.followUps).toEqual([
      { type: 'settle-claim', key: SINK_TEST_KEY, operationType: 'HorizontalScaling' },
      { type: 'late-lineage', key: SINK_TEST_KEY },
    ]);
  });

  it('writes nothing for an operations tombstone', () => {
    expect(planRecord({ ...at, topic: 'operations', value: null })).toEqual({ writes: [], followUps: [] });
  });

  it('guards observed state by a numeric resourceVersion, and by offset alone for an opaque one', () => {
    const numeric = planRecord({
      ...at,
      topic: 'observed',
      value: observedRecord({ resourceVersion: '1234' }),
    });
    expect(numeric.writes[0]?.model).toMatchObject({
      updateOne: { update: { $set: { version: 1234, sourceOffset: 41 } } },
    });
    const opaque = planRecord({
      ...at,
      topic: 'observed',
      value: observedRecord({ resourceVersion: 'abc' }),
    });
    expect(opaque.writes[0]?.model).toMatchObject({
      updateOne: { update: { $set: { version: -1, sourceOffset: 41 } } },
    });
  });

  it('deletes the projection on an observed or drift tombstone, only if written from an earlier offset', () => {
    for (const topic of ['observed', 'drift'] as const) {
      const plan = planRecord({ ...at, topic, value: null });
      expect(plan.writes).toEqual([
        {
          collection: topic === 'observed' ? 'observed_state' : 'drift',
          id: SINK_TEST_KEY,
          staleIsWritten: false,
          model: {
            deleteOne: {
              filter: {
                _id: SINK_TEST_KEY,
                $or: [{ sourceOffset: { $exists: false } }, { sourceOffset: { $lt: 41 } }],
              },
            },
          },
        },
      ]);
    }
  });

  it('starts a drift episode on opened, keeps it on changed, closes it and asks for lineage on resolved', () => {
    const opened = planRecord({
      ...at,
      topic: 'drift',
      value: driftRecord({ eventId: 'e1', detectedAtMs: 10 }),
    });
    expect(opened.writes[0]?.model).toMatchObject({
      updateOne: {
        update: { $set: { openedEventId: 'e1', openedAtMs: 10, resolvedEventId: null, version: 10 } },
      },
    });
    expect(opened.followUps).toEqual([]);
    const changed = planRecord({
      ...at,
      topic: 'drift',
      value: driftRecord({ eventId: 'e2', status: 'changed' }),
    });
    const changedSet = (
      changed.writes[0]?.model as { updateOne: { update: { $set: Record<string, unknown> } } }
    ).updateOne.update.$set;
    expect(changedSet).not.toHaveProperty('openedEventId');
    expect(changedSet).not.toHaveProperty('resolvedEventId');
    const resolved = planRecord({
      ...at,
      topic: 'drift',
      value: driftRecord({ eventId: 'e3', status: 'resolved', detectedAtMs: 30 }),
    });
    expect(resolved.writes[0]?.model).toMatchObject({
      updateOne: { update: { $set: { resolvedEventId: 'e3', resolvedAtMs: 30 } } },
    });
    expect(resolved.followUps).toEqual([
      { type: 'resolve-lineage', key: SINK_TEST_KEY, eventId: 'e3', atMs: 30 },
    ]);
  });
});
