import { describe, expect, it } from 'vitest';
import { createLifecycle } from './lifecycle.ts';
import { canTransition, lifecycleTransitions, type LifecycleState } from './lifecycle-state.ts';

function manualClock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('Lifecycle', () => {
  it('starts components in `starting` with no progress, and records progress on running and progress()', () => {
    const clock = manualClock();
    const lifecycle = createLifecycle({ clock });
    const consumer = lifecycle.component('consumer', { maxProgressAgeMs: 30_000 });
    expect(consumer.snapshot()).toEqual({
      name: 'consumer',
      state: 'starting',
      lastProgressAt: null,
      maxProgressAgeMs: 30_000,
      reason: undefined,
    });
    clock.advance(5);
    consumer.transition('running');
    expect(consumer.snapshot().lastProgressAt).toBe(1_005);
    clock.advance(10);
    consumer.progress();
    expect(lifecycle.snapshot()[0]?.lastProgressAt).toBe(1_015);
  });

  it('refuses illegal transitions and duplicate names', () => {
    const lifecycle = createLifecycle({ clock: manualClock() });
    const sink = lifecycle.component('sink');
    sink.transition('stopped');
    expect(() => sink.transition('running')).toThrow(RangeError);
    expect(() => lifecycle.component('sink')).toThrow(RangeError);
  });

  it('notifies listeners of state changes only', () => {
    const lifecycle = createLifecycle({ clock: manualClock() });
    const seen: string[] = [];
    lifecycle.onChange((snapshot) =>
      seen.push(`${snapshot.name}:${snapshot.state}:${snapshot.reason ?? ''}`),
    );
    const watch = lifecycle.component('watch:p1');
    watch.transition('running');
    watch.transition('running');
    watch.progress();
    watch.transition('failed', 'kubeconfig refused');
    expect(seen).toEqual(['watch:p1:running:', 'watch:p1:failed:kubeconfig refused']);
  });

  it('allows exactly the documented transitions', () => {
    const states = Object.keys(lifecycleTransitions) as LifecycleState[];
    for (const from of states) {
      for (const to of states) {
        const listed = (lifecycleTransitions[from] as readonly LifecycleState[]).includes(to);
        expect(canTransition(from, to), `${from} → ${to}`).toBe(from === to || listed);
      }
    }
    expect(canTransition('draining', 'running')).toBe(false);
    expect(canTransition('failed', 'running')).toBe(false);
  });
});
