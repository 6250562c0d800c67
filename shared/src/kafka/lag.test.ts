import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeLag, lagStartOffset } from './lag.ts';

const base = { topic: 't', partition: 0 };

describe('computeLag', () => {
  it.each([
    // committed, low, high, next ts, now, messages, seconds
    ['10', '0', '25', 1_000, 31_000, 15, 30],
    ['25', '0', '25', 1_000, 31_000, 0, 0],
    [null, '5', '25', 1_000, 2_500, 20, 1.5],
    ['-1', '0', '4', 0, 1_000, 4, 1],
    ['3', '7', '9', 10_000, 12_000, 2, 2],
    ['30', '0', '25', null, 12_000, 0, 0],
    ['10', '0', '25', 50_000, 12_000, 15, 0],
    ['10', '0', '25', null, 12_000, 15, 0],
  ] as const)(
    'committed=%s low=%s high=%s → %i messages',
    (committed, low, high, ts, now, messages, seconds) => {
      expect(computeLag({ ...base, committed, low, high, nextRecordTimestampMs: ts }, now)).toEqual({
        ...base,
        messages,
        seconds,
      });
    },
  );

  it('handles offsets beyond 2^53 exactly', () => {
    const lag = computeLag(
      {
        ...base,
        committed: '9007199254740993',
        low: '0',
        high: '9007199254741000',
        nextRecordTimestampMs: 0,
      },
      0,
    );
    expect(lag.messages).toBe(7);
  });

  it('rejects a malformed offset', () => {
    expect(() =>
      computeLag({ ...base, committed: 'abc', low: '0', high: '1', nextRecordTimestampMs: 0 }, 0),
    ).toThrow(RangeError);
  });

  it('messages never exceed high - low and are never negative', () => {
    fc.assert(
      fc.property(
        fc.nat(1_000_000),
        fc.nat(1_000_000),
        fc.option(fc.integer({ min: -1, max: 3_000_000 })),
        (a, b, committed) => {
          const low = Math.min(a, b);
          const high = Math.max(a, b);
          const lag = computeLag(
            {
              ...base,
              committed: committed === null ? null : String(committed),
              low: String(low),
              high: String(high),
              nextRecordTimestampMs: 0,
            },
            1_000,
          );
          return lag.messages >= 0 && lag.messages <= high - low && lag.seconds >= 0;
        },
      ),
    );
  });
});

describe('lagStartOffset', () => {
  it('is the committed offset, or the log start when it has none or fell below it', () => {
    expect(lagStartOffset({ ...base, committed: '10', low: '0', high: '25' })).toBe('10');
    expect(lagStartOffset({ ...base, committed: null, low: '5', high: '25' })).toBe('5');
    expect(lagStartOffset({ ...base, committed: '2', low: '5', high: '25' })).toBe('5');
  });

  it('is null when the group is caught up', () => {
    expect(lagStartOffset({ ...base, committed: '25', low: '0', high: '25' })).toBeNull();
  });
});
