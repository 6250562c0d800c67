import { describe, expect, it } from 'vitest';
import { formatLagTable, type GroupLag } from './group-lag.ts';

describe('formatLagTable', () => {
  it('prints one aligned row per group, topic and partition with messages and seconds', () => {
    const lags: GroupLag[] = [
      {
        group: 'driftline-sink',
        messages: 12,
        seconds: 3.25,
        partitions: [
          { topic: 'driftline.drift.v1', partition: 0, messages: 12, seconds: 3.25 },
          { topic: 'driftline.drift.v1', partition: 1, messages: 0, seconds: 0 },
        ],
      },
    ];
    expect(formatLagTable(lags)).toEqual([
      'GROUP           TOPIC               PARTITION  LAG (messages)  LAG (seconds)',
      'driftline-sink  driftline.drift.v1  0          12              3.3',
      'driftline-sink  driftline.drift.v1  1          0               0.0',
    ]);
  });
});
