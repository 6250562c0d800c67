import { describe, expect, it } from 'vitest';
import { headersOf, toConsumedBatch } from './consumed-batch.ts';

describe('toConsumedBatch', () => {
  it('decodes keys as UTF-8, keeps tombstones null and timestamps as numbers', () => {
    const batch = toConsumedBatch({
      topic: 't',
      partition: 3,
      highWatermark: '12',
      messages: [
        {
          key: Buffer.from('prov/ns/MongoDB/bücher'),
          value: Buffer.from([1, 2]),
          timestamp: '1764000000123',
          attributes: 0,
          offset: '10',
          headers: { correlationId: Buffer.from('c-1') },
        },
        { key: null, value: null, timestamp: '1764000000124', attributes: 0, offset: '11', headers: {} },
      ],
    });
    expect(batch.records).toEqual([
      {
        topic: 't',
        partition: 3,
        offset: '10',
        key: 'prov/ns/MongoDB/bücher',
        value: Buffer.from([1, 2]),
        headers: { correlationId: 'c-1' },
        timestampMs: 1_764_000_000_123,
      },
      {
        topic: 't',
        partition: 3,
        offset: '11',
        key: null,
        value: null,
        headers: {},
        timestampMs: 1_764_000_000_124,
      },
    ]);
    expect(batch.highWatermark).toBe('12');
  });

  it('takes the last value of a repeated header, like Java lastHeader', () => {
    expect(headersOf({ a: [Buffer.from('1'), 'x', Buffer.from('2')], b: 'y', c: undefined })).toEqual({
      a: '2',
      b: 'y',
    });
  });

  it('gives every record without headers the same frozen empty object', () => {
    const empty = headersOf({});
    expect(empty).toEqual({});
    expect(headersOf(undefined)).toBe(empty);
    expect(headersOf({})).toBe(empty);
    expect(Object.isFrozen(empty)).toBe(true);
  });
});
