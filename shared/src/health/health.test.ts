import { describe, expect, it } from 'vitest';
import { createLifecycle } from '../lifecycle/index.ts';
import { createHealth } from './health.ts';

function manualClock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function setup() {
  const clock = manualClock();
  const lifecycle = createLifecycle({ clock });
  let lag = 0;
  const health = createHealth({
    lifecycle,
    eventLoop: { lagMs: () => lag, stop: () => undefined },
    maxEventLoopLagMs: 1_000,
  });
  return { clock, lifecycle, health, setLag: (ms: number) => void (lag = ms) };
}

describe('createHealth', () => {
  it('is not ready with no components or while any is starting', () => {
    const { lifecycle, health } = setup();
    expect(health.readiness()).toMatchObject({ ok: false, problems: ['no component registered'] });
    const consumer = lifecycle.component('consumer');
    lifecycle.component('producer').transition('running');
    expect(health.readiness().ok).toBe(false);
    consumer.transition('running');
    expect(health.readiness()).toMatchObject({ ok: true, status: 'ok' });
  });

  it('turns not ready when a running component stops making progress, and ready again when it does', () => {
    const { clock, lifecycle, health } = setup();
    const watch = lifecycle.component('watch:p1', { maxProgressAgeMs: 60_000 });
    watch.transition('running');
    clock.advance(60_000);
    expect(health.readiness().ok).toBe(true);
    clock.advance(1);
    const report = health.readiness();
    expect(report.ok).toBe(false);
    expect(report.components).toEqual([
      {
        name: 'watch:p1',
        state: 'running',
        progressAgeMs: 60_001,
        maxProgressAgeMs: 60_000,
        ok: false,
        reason: null,
      },
    ]);
    watch.progress();
    expect(health.readiness().ok).toBe(true);
    // Staleness is not a liveness failure.
    clock.advance(600_000);
    expect(health.liveness().ok).toBe(true);
  });

  it('is not ready while draining, and not live once a component failed', () => {
    const { lifecycle, health } = setup();
    const sink = lifecycle.component('sink');
    sink.transition('running');
    sink.transition('draining');
    expect(health.readiness().ok).toBe(false);
    expect(health.liveness().ok).toBe(true);
    sink.transition('failed', 'MONGO_AUTH');
    const liveness = health.liveness();
    expect(liveness.ok).toBe(false);
    expect(liveness.components[0]).toMatchObject({ state: 'failed', reason: 'MONGO_AUTH', ok: false });
  });

  it('is not live when the event loop lags past the limit', () => {
    const { lifecycle, health, setLag } = setup();
    lifecycle.component('sink').transition('running');
    setLag(1_500);
    expect(health.liveness()).toMatchObject({
      ok: false,
      eventLoopLagMs: 1_500,
      problems: ['event loop lag 1500ms exceeds 1000ms'],
    });
    setLag(10);
    expect(health.liveness().ok).toBe(true);
  });
});
