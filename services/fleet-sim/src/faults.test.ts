import { describe, expect, it } from 'vitest';
import { manualClock } from './clock.ts';
import { FaultSchedule } from './faults.ts';

describe('FaultSchedule', () => {
  it('throttles exactly the next N matching requests', () => {
    const faults = new FaultSchedule(manualClock());
    faults.inject({ type: 'throttle', count: 2, retryAfterSeconds: 3 });
    expect(faults.decide('list').reject).toEqual({ statusCode: 429, retryAfterSeconds: 3 });
    expect(faults.decide('discovery').reject).toBeUndefined();
    expect(faults.decide('get').reject).toEqual({ statusCode: 429, retryAfterSeconds: 3 });
    expect(faults.decide('get').reject).toBeUndefined();
    expect(faults.active()).toEqual([]);
  });

  it('limits a fault to its verbs', () => {
    const faults = new FaultSchedule(manualClock());
    faults.inject({ type: 'error', verbs: ['watch'], count: 1 });
    expect(faults.decide('list').reject).toBeUndefined();
    expect(faults.decide('watch').reject).toEqual({ statusCode: 500 });
  });

  it('expires a timed fault by the injected clock', () => {
    const clock = manualClock(0);
    const faults = new FaultSchedule(clock);
    faults.inject({ type: 'error', statusCode: 503, durationMs: 1000 });
    clock.advance(999);
    expect(faults.decide('get').reject).toEqual({ statusCode: 503 });
    clock.advance(1);
    expect(faults.decide('get').reject).toBeUndefined();
  });

  it('lets the first rejecting fault win and stacks modifiers', () => {
    const faults = new FaultSchedule(manualClock());
    faults.inject({ type: 'slow-list', delayMsPerPage: 50 });
    faults.inject({ type: 'gone', count: 1 });
    faults.inject({ type: 'stall', count: 1 });
    faults.inject({ type: 'error', count: 1 });
    const first = faults.decide('list');
    expect(first).toMatchObject({ stall: { ms: undefined }, forceGone: true, listDelayMs: 50 });
    expect(first.reject).toBeUndefined();
    const second = faults.decide('list');
    expect(second).toMatchObject({ reject: { statusCode: 500 }, forceGone: false, listDelayMs: 50 });
  });

  it('applies drop-watch only to watches and clears by id or all', () => {
    const faults = new FaultSchedule(manualClock());
    const id = faults.inject({ type: 'drop-watch', afterEvents: 5 });
    expect(faults.decide('list').dropWatchAfterEvents).toBeUndefined();
    expect(faults.decide('watch').dropWatchAfterEvents).toBe(5);
    faults.clear(id);
    expect(faults.decide('watch').dropWatchAfterEvents).toBeUndefined();
    faults.inject({ type: 'gone' });
    faults.clear();
    expect(faults.decide('watch').forceGone).toBe(false);
  });
});
