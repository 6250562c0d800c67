import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { HealthTable } from './kafka-health-table.ts';
import { PartitionReconciler } from './partition-reconciler.ts';
import type { StepOutput } from './step.ts';
import { desiredRecord, observedRecord, TEST_KEY } from './test-records.ts';

function build(persistMs: number) {
  const timers = new VirtualTimeScheduler();
  const timerOutputs: StepOutput[] = [];
  const reconciler = new PartitionReconciler({
    partition: 0,
    config: { persistMs, convergenceGraceMs: 0, staleAfterMs: 60_000 },
    health$: new HealthTable().changes$(),
    onTimerOutputs: (outputs) => timerOutputs.push(...outputs),
    now: () => 1_000_000 + timers.now(),
    timers,
  });
  return { reconciler, timers, timerOutputs };
}

const drifts = (outputs: readonly StepOutput[]) =>
  outputs.flatMap((o) => (o.type === 'drift' ? [[o.event.status, o.event.keyStatus]] : []));

describe('PartitionReconciler', () => {
  it('apply returns the outputs of its inputs synchronously', () => {
    const { reconciler } = build(0);
    const outputs = reconciler.apply([
      { type: 'desired', change: { key: TEST_KEY, value: desiredRecord({ replicas: 5 }) } },
      { type: 'observed', change: { key: TEST_KEY, value: observedRecord() } },
    ]);
    expect(drifts(outputs)).toEqual([
      ['opened', 'missing'],
      ['changed', 'drifting'],
    ]);
    expect(outputs.filter((o) => o.type === 'operation')).toHaveLength(1);
    reconciler.dispose();
  });

  it('rebuild emits nothing and leaves the state as the live run left it', () => {
    const { reconciler } = build(0);
    reconciler.rebuild([
      {
        input: { type: 'desired', change: { key: TEST_KEY, value: desiredRecord({ replicas: 5 }) } },
        timestampMs: 10,
      },
      { input: { type: 'observed', change: { key: TEST_KEY, value: observedRecord() } }, timestampMs: 20 },
    ]);
    expect(reconciler.stateSize()).toBe(1);
    // The open drift was rebuilt: the observed catching up resolves it (no "opened" first).
    const outputs = reconciler.apply([
      {
        type: 'observed',
        change: { key: TEST_KEY, value: observedRecord({ replicas: 5, resourceVersion: '101' }) },
      },
    ]);
    expect(drifts(outputs)).toEqual([['resolved', 'in_sync']]);
    reconciler.dispose();
  });

  it('rebuild replays in record-timestamp order, whatever order it is given', () => {
    const { reconciler } = build(0);
    reconciler.rebuild([
      { input: { type: 'observed', change: { key: TEST_KEY, value: observedRecord() } }, timestampMs: 20 },
      { input: { type: 'desired', change: { key: TEST_KEY, value: null } }, timestampMs: 30 },
      { input: { type: 'desired', change: { key: TEST_KEY, value: desiredRecord() } }, timestampMs: 10 },
    ]);
    // Desired was deleted last: the key is an orphan now, so a new desired opens nothing but in-sync.
    const outputs = reconciler.apply([
      { type: 'desired', change: { key: TEST_KEY, value: desiredRecord({ generation: 2 }) } },
    ]);
    expect(drifts(outputs)).toEqual([['resolved', 'in_sync']]);
    reconciler.dispose();
  });

  it('replay returns what the inputs emit, in record-timestamp order', () => {
    const { reconciler } = build(0);
    const outputs = reconciler.replay([
      { input: { type: 'observed', change: { key: TEST_KEY, value: observedRecord() } }, timestampMs: 20 },
      {
        input: { type: 'desired', change: { key: TEST_KEY, value: desiredRecord({ replicas: 5 }) } },
        timestampMs: 10,
      },
    ]);
    expect(drifts(outputs)).toEqual([
      ['opened', 'missing'],
      ['changed', 'drifting'],
    ]);
    reconciler.dispose();
  });

  it('a transition still in its persistence window after a rebuild is emitted by the timer', () => {
    const { reconciler, timers, timerOutputs } = build(5_000);
    reconciler.rebuild([
      { input: { type: 'desired', change: { key: TEST_KEY, value: desiredRecord() } }, timestampMs: 10 },
    ]);
    expect(timerOutputs).toEqual([]);
    timers.flush();
    return Promise.resolve().then(() => {
      expect(drifts(timerOutputs)).toEqual([['opened', 'missing']]);
      reconciler.dispose();
    });
  });

  it('dispose drops the state and stops emitting', () => {
    const { reconciler, timers, timerOutputs } = build(5_000);
    reconciler.apply([{ type: 'desired', change: { key: TEST_KEY, value: desiredRecord() } }]);
    reconciler.dispose();
    timers.flush();
    return Promise.resolve().then(() => {
      expect(timerOutputs).toEqual([]);
      expect(reconciler.apply([{ type: 'desired', change: { key: TEST_KEY, value: null } }])).toEqual([]);
    });
  });
});
