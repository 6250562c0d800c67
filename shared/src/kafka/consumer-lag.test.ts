import { describe, expect, it } from 'vitest';
import { recordingMetrics } from '@driftline/shared/metrics';
import { fetchConsumerLag } from './consumer-lag.ts';
import { reportConsumerLag } from './lag-reporter.ts';
import type { KafkaAdminPort, PartitionOffsets } from './ports.ts';

function fakeAdmin(offsets: PartitionOffsets[], timestamps: Record<string, number>) {
  const probed: string[] = [];
  const admin: KafkaAdminPort = {
    ensureTopics: async () => ({ created: [], existing: [] }),
    describeTopics: async () => [],
    fetchOffsets: async () => offsets,
    fetchRecordTimestamps: async (positions) =>
      positions.map((p) => {
        probed.push(`${p.topic}/${p.partition}@${p.offset}`);
        return { ...p, timestampMs: timestamps[`${p.topic}/${p.partition}`] ?? null };
      }),
    disconnect: async () => undefined,
  };
  return { admin, probed };
}

describe('fetchConsumerLag', () => {
  it('probes only lagging partitions, at the position the group reads next', async () => {
    const { admin, probed } = fakeAdmin(
      [
        { topic: 't', partition: 0, committed: '10', low: '0', high: '10' },
        { topic: 't', partition: 1, committed: '4', low: '0', high: '10' },
        { topic: 't', partition: 2, committed: null, low: '3', high: '5' },
      ],
      { 't/1': 40_000, 't/2': 55_000 },
    );
    const lag = await fetchConsumerLag(admin, 'g', ['t'], 60_000);
    expect(probed).toEqual(['t/1@4', 't/2@3']);
    expect(lag).toEqual([
      { topic: 't', partition: 0, messages: 0, seconds: 0 },
      { topic: 't', partition: 1, messages: 6, seconds: 20 },
      { topic: 't', partition: 2, messages: 2, seconds: 5 },
    ]);
  });
});

describe('reportConsumerLag', () => {
  it('records one consumer.lag event per partition', async () => {
    const { admin } = fakeAdmin([{ topic: 't', partition: 0, committed: '1', low: '0', high: '3' }], {
      't/0': 1_000,
    });
    const metrics = recordingMetrics();
    await reportConsumerLag(admin, metrics, 'g', ['t'], 3_000);
    expect(metrics.events).toEqual([
      { type: 'consumer.lag', group: 'g', topic: 't', partition: 0, messages: 2, seconds: 2 },
    ]);
  });
});
