import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SinkHarness, eventually } from '../services/sink/src/testing/int-harness.ts';
import { operationRecord } from '../services/sink/src/testing/records.ts';
import { stackEndpoints } from './support/stack.ts';

// Two sinks in different consumer groups write the same operations at the same time (as during a
// rebalance, or a replay running next to the live sink). For every database key and operation
// type there must be at most one outstanding operation: one claim in `outstanding_operations`,
// held by the newest operation, and exactly one operation document still `outstanding`.

const KEYS = 40;
const key = (i: number): string => `prov-r/team-r/Postgres/db-${i}`;

describe('two racing sinks', () => {
  const harness = new SinkHarness(stackEndpoints());

  beforeAll(async () => {
    await harness.start();
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('never leave two outstanding operations for one key and type', async () => {
    const records = Array.from({ length: KEYS }, (_, i) => {
      const older = operationRecord(
        { operationId: `op-${i}-g2`, desiredGeneration: 2, createdAtMs: 1_000 },
        key(i),
      );
      const newer = operationRecord(
        { operationId: `op-${i}-g3`, desiredGeneration: 3, createdAtMs: 2_000 },
        key(i),
      );
      // Half the keys see the newer operation first: arrival order must not matter.
      const pair = i % 2 === 0 ? [older, newer] : [newer, older];
      return pair.map((value) => ({ key: key(i), value }));
    }).flat();
    await harness.produce('operations', records);
    await Promise.all([
      harness.startSink({ env: { SINK_GROUP_ID: `race-a-${harness.run}`, SINK_CHUNK_SIZE_COUNT: '7' } }),
      harness.startSink({ env: { SINK_GROUP_ID: `race-b-${harness.run}`, SINK_CHUNK_SIZE_COUNT: '5' } }),
    ]);
    await eventually(async () => {
      for (const group of [`race-a-${harness.run}`, `race-b-${harness.run}`]) {
        const ends = await harness.ends('operations');
        const committed = await harness.committed('operations', group);
        for (const [partition, end] of ends) if (end !== '0') expect(committed.get(partition)).toBe(end);
      }
    }, 60_000);

    const claims = await harness.db.collection('outstanding_operations').find({}).toArray();
    expect(claims).toHaveLength(KEYS);
    for (const claim of claims) {
      expect(claim['operationId']).toMatch(/-g3$/);
      expect(claim['released']).toBe(false);
    }
    const outstanding = await harness.db
      .collection('operations')
      .aggregate<{ _id: { key: string; type: string }; count: number }>([
        { $match: { outcome: 'outstanding' } },
        { $group: { _id: { key: '$key', type: '$type' }, count: { $sum: 1 } } },
      ])
      .toArray();
    expect(outstanding).toHaveLength(KEYS);
    expect(outstanding.filter((group) => group.count !== 1)).toEqual([]);
    const superseded = await harness.db.collection('operations').countDocuments({ outcome: 'superseded' });
    expect(superseded).toBe(KEYS);
  });
});
