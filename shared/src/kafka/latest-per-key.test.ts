import { describe, expect, it } from 'vitest';
import { LatestPerKey, latestPerKey } from './latest-per-key.ts';
import type { ConsumedRecord } from './ports.ts';

const rec = (topic: string, offset: number, key: string | null, value: string | null): ConsumedRecord => ({
  topic,
  partition: 0,
  offset: String(offset),
  key,
  value: value === null ? null : Buffer.from(value),
  headers: {},
  timestampMs: offset,
});

describe('LatestPerKey', () => {
  it('keeps the latest record per topic and key, oldest latest first, tombstones included', () => {
    const records = latestPerKey([
      rec('a', 0, 'k1', 'v1'),
      rec('a', 1, 'k2', 'v1'),
      rec('b', 2, 'k1', 'b1'),
      rec('a', 3, 'k1', null),
    ]);
    expect(records.map((r) => `${r.topic}@${r.offset}`)).toEqual(['a@1', 'b@2', 'a@3']);
    expect(records[2]?.value).toBeNull();
  });

  it('drops keyless records and counts keys', () => {
    const latest = new LatestPerKey();
    latest.add(rec('a', 0, null, 'v'));
    latest.add(rec('a', 1, 'k', 'v'));
    latest.add(rec('a', 2, 'k', 'w'));
    expect(latest.size).toBe(1);
    expect(latest.records().map((r) => r.offset)).toEqual(['2']);
  });
});
