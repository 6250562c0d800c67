import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SinkHarness, eventually } from '../services/sink/src/testing/int-harness.ts';
import { driftRecord, operationRecord } from '../services/sink/src/testing/records.ts';
import { stackEndpoints } from './support/stack.ts';

// The stuck sweep against the Mongo-compatible server, with the sink's clock injected: an
// operation outstanding past SINK_OPERATION_STUCK_AFTER_MS is flagged stuck; one whose drift
// resolved (achieved) or one still young is not.

const HOUR = 3_600_000;
const key = (name: string): string => `prov-s/team-s/MySQL/${name}`;

describe('the stuck sweep', () => {
  const harness = new SinkHarness(stackEndpoints(), 1);
  let nowMs = 10 * HOUR;

  beforeAll(async () => {
    await harness.start();
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('flags only operations outstanding past the limit', async () => {
    const sink = await harness.startSink({
      clock: { now: () => nowMs },
      env: { SINK_OPERATION_STUCK_AFTER_MS: String(HOUR) },
    });
    await harness.produce('operations', [
      {
        key: key('old'),
        value: operationRecord({ operationId: 'op-old', createdAtMs: 1 * HOUR }, key('old')),
      },
      {
        key: key('young'),
        value: operationRecord({ operationId: 'op-young', createdAtMs: 9.5 * HOUR }, key('young')),
      },
      {
        key: key('done'),
        value: operationRecord({ operationId: 'op-done', createdAtMs: 1 * HOUR }, key('done')),
      },
    ]);
    await harness.produce('drift', [
      { key: key('done'), value: driftRecord({ status: 'resolved', detectedAtMs: 2 * HOUR }, key('done')) },
    ]);
    await eventually(async () => {
      expect(await harness.db.collection('operations').countDocuments()).toBe(3);
      expect(await harness.db.collection('operations').findOne({ _id: 'op-done' as never })).toMatchObject({
        outcome: 'achieved',
      });
    });

    expect(await sink.sweeper.sweep()).toBe(1);
    const ops = await harness.db.collection('operations').find({}).sort({ _id: 1 }).toArray();
    expect(ops.map((op) => [op['_id'], op['stuck'], op['stuckAtMs'] ?? null])).toEqual([
      ['op-done', false, null],
      ['op-old', true, 10 * HOUR],
      ['op-young', false, null],
    ]);
    // Flagged once: a second sweep finds nothing new; time passing flags the young one too.
    expect(await sink.sweeper.sweep()).toBe(0);
    nowMs = 11 * HOUR;
    expect(await sink.sweeper.sweep()).toBe(1);
    expect(await harness.db.collection('operations').findOne({ _id: 'op-young' as never })).toMatchObject({
      stuck: true,
    });
  });
});
