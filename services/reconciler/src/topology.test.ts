import type { DriftEvent } from '@driftline/schemas';
import { map, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { ReconcilerConfig } from './step.ts';
import { desiredRecord, healthRecord, observedRecord } from './test-records.ts';
import { createTopology, type DesiredChange, type HealthChange, type ObservedChange } from './topology.ts';

const CONFIG: ReconcilerConfig = { persistMs: 100, convergenceGraceMs: 500, staleAfterMs: 1_000 };
const KEY = 'prov-a/team-1/MongoDB/orders';
const OTHER = 'prov-a/team-1/Postgres/billing';

const d = (overrides: Parameters<typeof desiredRecord>[0] = {}, key = KEY): DesiredChange => ({
  key,
  value: desiredRecord(overrides, key),
});
const o = (overrides: Parameters<typeof observedRecord>[0] = {}, key = KEY): ObservedChange => ({
  key,
  value: observedRecord(overrides, key),
});
const label = (e: DriftEvent) => `${e.status}:${e.keyStatus}`;

function testScheduler() {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

interface Streams {
  desired$: Observable<DesiredChange>;
  observed$: Observable<ObservedChange>;
  health$?: Observable<HealthChange>;
}

function build(scheduler: TestScheduler, streams: Streams, config = CONFIG) {
  const topology = createTopology({ ...streams, scheduler, config });
  return topology;
}

describe('topology (marble)', () => {
  it('opens a drift only after it persisted persistMs, with its operation', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const topology = build(scheduler, {
        desired$: cold('-a', { a: d({ replicas: 5 }) }),
        observed$: cold('-b', { b: o() }),
      });
      expectObservable(topology.drift$.pipe(map(label))).toBe('101ms x', { x: 'opened:drifting' });
      expectObservable(topology.operations$.pipe(map((op) => op.type))).toBe('101ms h', {
        h: 'HorizontalScaling',
      });
      expectObservable(topology.keyStatus$.pipe(map((s) => s.keyStatus))).toBe('-(md)', {
        m: 'missing',
        d: 'drifting',
      });
      topology.connect();
    });
  });

  it('emits nothing for a value that flips back and forth faster than persistMs', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const topology = build(scheduler, {
        desired$: cold('-a 400ms |', { a: d() }),
        observed$: cold('-a 49ms b 49ms c 49ms e 49ms f 200ms |', {
          a: o({ resourceVersion: '1', replicas: 3 }),
          b: o({ resourceVersion: '2', replicas: 4 }),
          c: o({ resourceVersion: '3', replicas: 3 }),
          e: o({ resourceVersion: '4', replicas: 4 }),
          f: o({ resourceVersion: '5', replicas: 3 }),
        }),
      });
      expectObservable(topology.drift$).toBe('402ms |');
      topology.connect();
    });
  });

  it('holds a drift back while the observed object converges, until the grace period ends', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const topology = build(scheduler, {
        desired$: cold('-a', { a: d() }),
        observed$: cold('-b', { b: o({ replicas: 2, phase: 'Updating' }) }),
      });
      expectObservable(topology.drift$.pipe(map(label))).toBe('501ms x', { x: 'opened:drifting' });
      topology.connect();
    });
  });

  it('opens nothing when the object settles in sync within the grace period', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const topology = build(scheduler, {
        desired$: cold('-a 999ms |', { a: d() }),
        observed$: cold('-b 299ms c 699ms |', {
          b: o({ resourceVersion: '1', replicas: 2, phase: 'Provisioning' }),
          c: o({ resourceVersion: '2', phase: 'Ready' }),
        }),
      });
      expectObservable(topology.drift$).toBe('1001ms |');
      topology.connect();
    });
  });

  it('turns a drifting key unknown when its provider watch goes down, and back when it recovers', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const topology = build(scheduler, {
        desired$: cold('-a', { a: d({ replicas: 5 }) }),
        observed$: cold('-b', { b: o() }),
        health$: cold('200ms x 199ms y', {
          x: { provider: 'prov-a', value: healthRecord({ connected: false, reportedAtMs: 200 }) },
          y: { provider: 'prov-a', value: healthRecord({ lastEventAtMs: 400, reportedAtMs: 400 }) },
        }),
      });
      // Reconnected at 400 with a last event at 400: stale again at 1400 (staleAfterMs), unknown drift at 1500.
      expectObservable(topology.drift$.pipe(map(label))).toBe('101ms a 198ms b 199ms c 999ms b', {
        a: 'opened:drifting',
        b: 'changed:unknown',
        c: 'changed:drifting',
      });
      expectObservable(topology.keyStatus$.pipe(map((s) => s.keyStatus))).toBe(
        '-(md) 195ms u 199ms d 999ms u',
        {
          m: 'missing',
          d: 'drifting',
          u: 'unknown',
        },
      );
      topology.connect();
    });
  });

  it('turns keys unknown by the passage of time when the watch shows no sign of life', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const topology = build(scheduler, {
        desired$: cold('-a', { a: d({ replicas: 5 }) }),
        observed$: cold('-b', { b: o() }),
        health$: cold('x', { x: { provider: 'prov-a', value: healthRecord({ lastEventAtMs: 0 }) } }),
      });
      // staleAfterMs = 1000: stale at 1000, the unknown drift persists until 1100.
      expectObservable(topology.drift$.pipe(map(label))).toBe('101ms a 998ms b', {
        a: 'opened:drifting',
        b: 'changed:unknown',
      });
      expectObservable(topology.keyStatus$.pipe(map((s) => s.keyStatus))).toBe('-(md) 995ms u', {
        m: 'missing',
        d: 'drifting',
        u: 'unknown',
      });
      topology.connect();
    });
  });

  it('does not touch keys of other providers when one provider goes stale', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const other = 'prov-b/team-1/MongoDB/orders';
      const topology = build(scheduler, {
        desired$: cold('-(ab)', { a: d({ replicas: 5 }), b: d({ replicas: 5 }, other) }),
        observed$: cold('-(ab)', { a: o(), b: o({}, other) }),
        health$: cold('200ms x', {
          x: { provider: 'prov-b', value: healthRecord({ provider: 'prov-b', connected: false }) },
        }),
      });
      expectObservable(topology.drift$.pipe(map((e) => `${e.key.slice(0, 6)}:${label(e)}`))).toBe(
        '101ms (ab) 195ms c',
        {
          a: 'prov-a:opened:drifting',
          b: 'prov-b:opened:drifting',
          c: 'prov-b:changed:unknown',
        },
      );
      topology.connect();
    });
  });

  it('reports missing and orphan keys', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const topology = build(scheduler, {
        desired$: cold('-a', { a: d() }),
        observed$: cold('-b', { b: o({}, OTHER) }),
      });
      expectObservable(
        topology.drift$.pipe(map((e) => `${e.key === KEY ? 'key' : 'other'}:${label(e)}`)),
      ).toBe('101ms (ab)', {
        a: 'key:opened:missing',
        b: 'other:opened:orphan',
      });
      topology.connect();
    });
  });

  it('drops the state of a key whose desired and observed records are both tombstoned', () => {
    const scheduler = testScheduler();
    let topology: ReturnType<typeof build> | undefined;
    scheduler.run(({ cold, expectObservable }) => {
      topology = build(scheduler, {
        desired$: cold('-a 199ms x 99ms |', { a: d({ replicas: 5 }), x: { key: KEY, value: null } }),
        observed$: cold('-b 249ms y 49ms |', { b: o(), y: { key: KEY, value: null } }),
      });
      expectObservable(topology.drift$.pipe(map(label))).toBe('101ms a 99ms - 49ms b 49ms |', {
        a: 'opened:drifting',
        b: 'resolved:in_sync',
      });
      topology.connect();
    });
    expect(topology?.stateSize()).toBe(0);
    expect(topology?.pendingSize()).toBe(0);
  });

  it('runs nothing until connected', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const topology = build(scheduler, {
        desired$: cold('-a', { a: d() }),
        observed$: cold('-a', { a: o() }),
      });
      expectObservable(topology.keyStatus$.pipe(map((s) => s.keyStatus))).toBe('11ms (mi)', {
        m: 'missing',
        i: 'in_sync',
      });
      scheduler.schedule(() => topology.connect(), 10);
    });
  });
});
