import { describe, expect, it } from 'vitest';
import { EventHistory } from './history.ts';

const ev = (revision: number) => ({ revision });

describe('EventHistory', () => {
  it('returns the events after a revision in order', () => {
    const h = new EventHistory<{ revision: number }>(10);
    for (let r = 1; r <= 5; r += 1) h.append(ev(r));
    expect(h.since(2)).toEqual({ expired: false, events: [ev(3), ev(4), ev(5)] });
    expect(h.since(5)).toEqual({ expired: false, events: [] });
    expect(h.since(0)).toEqual({ expired: false, events: [1, 2, 3, 4, 5].map(ev) });
  });

  it('expires revisions whose events fell out of the window', () => {
    const h = new EventHistory<{ revision: number }>(3);
    for (let r = 1; r <= 6; r += 1) h.append(ev(r));
    expect(h.size).toBe(3);
    expect(h.compactedThrough).toBe(3);
    expect(h.since(2)).toEqual({ expired: true });
    expect(h.since(3)).toEqual({ expired: false, events: [ev(4), ev(5), ev(6)] });
  });

  it('compact expires everything before the given revision', () => {
    const h = new EventHistory<{ revision: number }>(5);
    for (let r = 1; r <= 4; r += 1) h.append(ev(r));
    h.compact(4);
    expect(h.since(3)).toEqual({ expired: true });
    expect(h.since(4)).toEqual({ expired: false, events: [] });
    h.append(ev(5));
    expect(h.since(4)).toEqual({ expired: false, events: [ev(5)] });
  });

  it('keeps answering correctly after wrapping many times', () => {
    const h = new EventHistory<{ revision: number }>(4);
    for (let r = 1; r <= 103; r += 1) h.append(ev(r));
    expect(h.since(100)).toEqual({ expired: false, events: [ev(101), ev(102), ev(103)] });
    expect(h.since(98)).toEqual({ expired: true });
  });

  it('rejects a non-positive capacity', () => {
    expect(() => new EventHistory(0)).toThrow(RangeError);
  });
});
