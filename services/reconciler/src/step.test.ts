import type { DriftEvent, Operation } from '@driftline/schemas';
import { describe, expect, it } from 'vitest';
import { FRESH, type Freshness } from './freshness.ts';
import {
  nextDeadlineMs,
  step,
  type KeyInput,
  type KeyState,
  type ReconcilerConfig,
  type StepOutput,
} from './step.ts';
import { TEST_KEY, desiredRecord, observedRecord } from './test-records.ts';

const IMMEDIATE: ReconcilerConfig = { persistMs: 0, convergenceGraceMs: 0, staleAfterMs: 60_000 };
const DEBOUNCED: ReconcilerConfig = { persistMs: 1_000, convergenceGraceMs: 5_000, staleAfterMs: 60_000 };
const STALE: Freshness = { fresh: false, staleSinceMs: 7_777, changesAtMs: null };

const desired = (overrides: Parameters<typeof desiredRecord>[0] = {}): KeyInput => ({
  type: 'desired',
  value: desiredRecord(overrides),
});
const observed = (overrides: Parameters<typeof observedRecord>[0] = {}): KeyInput => ({
  type: 'observed',
  value: observedRecord(overrides),
});
const DESIRED_GONE: KeyInput = { type: 'desired', value: null };
const OBSERVED_GONE: KeyInput = { type: 'observed', value: null };
const TICK: KeyInput = { type: 'tick' };

interface Run {
  state: KeyState | null;
  outputs: StepOutput[];
  events: DriftEvent[];
  operations: Operation[];
  statuses: (string | null)[];
}

/** Feeds [time, input, freshness?] steps to `step` from `state` and collects everything. */
function run(
  steps: [number, KeyInput, Freshness?][],
  config = IMMEDIATE,
  initial: KeyState | null = null,
): Run {
  let state = initial;
  const outputs: StepOutput[] = [];
  for (const [nowMs, input, freshness = FRESH] of steps) {
    const result = step(state, input, { key: TEST_KEY, nowMs, freshness }, config);
    state = result.state;
    outputs.push(...result.outputs);
  }
  return {
    state,
    outputs,
    events: outputs.flatMap((o) => (o.type === 'drift' ? [o.event] : [])),
    operations: outputs.flatMap((o) => (o.type === 'operation' ? [o.operation] : [])),
    statuses: outputs.flatMap((o) => (o.type === 'status' ? [o.keyStatus] : [])),
  };
}

const summary = (events: DriftEvent[]) => events.map((e) => `${e.status}:${e.keyStatus}`);

describe('step: join', () => {
  it('opens a missing drift for desired without observed, with no operation', () => {
    const r = run([[10, desired()]]);
    expect(r.statuses).toEqual(['missing']);
    expect(summary(r.events)).toEqual(['opened:missing']);
    expect(r.events[0]).toMatchObject({ differences: [], operationIds: [], sequence: 1, detectedAtMs: 10 });
    expect(r.operations).toEqual([]);
  });

  it('opens an orphan drift for observed without desired', () => {
    const r = run([[10, observed()]]);
    expect(summary(r.events)).toEqual(['opened:orphan']);
    expect(r.events[0]?.provenance).toEqual({
      desiredGeneration: null,
      desiredSourceTimestampMs: null,
      observedResourceVersion: '100',
      observedGeneration: 4,
      observedSourceTimestampMs: 1_100,
      observedAtMs: 1_200,
    });
  });

  it('resolves a missing drift when the observed record arrives in sync', () => {
    const r = run([
      [10, desired()],
      [20, observed()],
    ]);
    expect(summary(r.events)).toEqual(['opened:missing', 'resolved:in_sync']);
    expect(r.statuses).toEqual(['missing', 'in_sync']);
    expect(r.events[1]?.fingerprint).toBe(r.events[0]?.fingerprint);
    expect(r.state?.open).toBeNull();
  });

  it('emits nothing but the status for a key that starts in sync', () => {
    const r = run(
      [
        [10, desired()],
        [10, observed()],
      ],
      DEBOUNCED,
    );
    expect(r.events).toEqual([]);
    expect(r.statuses).toEqual(['missing', 'in_sync']);
  });

  it('drops the state when both sides are tombstoned, resolving an open drift first', () => {
    const r = run([
      [10, desired({ replicas: 5 })],
      [20, observed()],
      [30, DESIRED_GONE],
      [40, OBSERVED_GONE],
    ]);
    expect(summary(r.events)).toEqual([
      'opened:missing',
      'changed:drifting',
      'changed:orphan',
      'resolved:in_sync',
    ]);
    expect(r.state).toBeNull();
    expect(r.statuses.at(-1)).toBeNull();
    expect(r.events.at(-1)?.provenance.desiredGeneration).toBeNull();
  });

  it('drops an in-sync key without any drift event', () => {
    const r = run(
      [
        [10, desired()],
        [10, observed()],
        [20, OBSERVED_GONE],
        [20, DESIRED_GONE],
      ],
      DEBOUNCED,
    );
    expect(r.events).toEqual([]);
    expect(r.state).toBeNull();
  });

  it('ignores tombstones and ticks for a key it holds no state for', () => {
    for (const input of [DESIRED_GONE, OBSERVED_GONE, TICK]) {
      expect(step(null, input, { key: TEST_KEY, nowMs: 0, freshness: FRESH }, IMMEDIATE)).toEqual({
        state: null,
        outputs: [],
      });
    }
  });
});

describe('step: drift and operations', () => {
  const inSync = run([
    [0, desired()],
    [0, observed()],
  ]).state;

  it('opens a drift with one operation per remediation type, Manual differences getting none', () => {
    const r = run(
      [
        [
          10,
          desired({
            generation: 2,
            replicas: 5,
            storage: '5Gi',
            resources: { cpuRequest: '1', cpuLimit: '2', memoryRequest: '1Gi', memoryLimit: '2Gi' },
          }),
        ],
      ],
      IMMEDIATE,
      inSync,
    );
    expect(summary(r.events)).toEqual(['opened:drifting']);
    const event = r.events[0];
    expect(event?.differences.map((d) => `${d.path}:${d.remediation}`)).toEqual([
      'resources.cpuLimit:VerticalScaling',
      'resources.cpuRequest:VerticalScaling',
      'spec.replicas:HorizontalScaling',
      'spec.storage:Manual',
    ]);
    expect(r.operations.map((o) => o.type)).toEqual(['HorizontalScaling', 'VerticalScaling']);
    expect(event?.operationIds).toEqual(r.operations.map((o) => o.operationId));
    expect(r.operations[0]).toMatchObject({
      key: TEST_KEY,
      provider: 'prov-a',
      namespace: 'team-1',
      kind: 'MongoDB',
      name: 'orders',
      spec: { replicas: 5, version: null, storage: null, resources: null },
      driftFingerprint: event?.fingerprint,
      driftEventId: event?.eventId,
      desiredGeneration: 2,
      createdAtMs: 10,
    });
    expect(r.operations[1]?.spec.resources).toEqual({
      cpuRequest: '1',
      cpuLimit: '2',
      memoryRequest: '1Gi',
      memoryLimit: '2Gi',
    });
    expect(r.operations[0]?.opsRequestName).toMatch(/^dl-hscale-orders-[0-9a-f]{16}$/);
  });

  it.each([
    ['UpdateVersion', { version: '7.0.14' }, { version: '7.0.14' }],
    ['VolumeExpansion', { storage: '20Gi' }, { storage: '20Gi' }],
  ] as const)('creates a %s operation with its target value', (type, change, spec) => {
    const r = run([[10, desired({ generation: 2, ...change })]], IMMEDIATE, inSync);
    expect(r.operations).toEqual([expect.objectContaining({ type, spec: expect.objectContaining(spec) })]);
  });

  it('opens a Manual-only drift (storage shrink) without any operation', () => {
    const r = run([[10, desired({ generation: 2, storage: '5Gi' })]], IMMEDIATE, inSync);
    expect(summary(r.events)).toEqual(['opened:drifting']);
    expect(r.operations).toEqual([]);
    expect(r.events[0]?.operationIds).toEqual([]);
  });

  it('never repeats an unchanged drift, even re-spelled or redelivered', () => {
    const r = run(
      [
        [10, desired({ generation: 2, storage: '20Gi' })],
        [20, desired({ generation: 2, storage: '20Gi' })],
        [30, observed({ resourceVersion: '101', correlationId: 'c2' })],
        [40, desired({ generation: 3, storage: '20480Mi' })],
        [50, TICK],
      ],
      IMMEDIATE,
      inSync,
    );
    expect(summary(r.events)).toEqual(['opened:drifting']);
    expect(r.operations).toHaveLength(1);
  });

  it('keeps the verdict of the rules while no compared field changes, and re-evaluates when one does', () => {
    const drifting = run([[10, desired({ generation: 2, storage: '20Gi' })]], IMMEDIATE, inSync).state;
    const verdict = drifting?.differences;
    expect(verdict).toHaveLength(1);
    // A resync and a re-write with fresh copies of the same values: same spec, the rules are skipped.
    const fresh = (text: string) => Buffer.from(text, 'latin1').toString('latin1');
    const resynced = run(
      [
        [20, observed({ resourceVersion: '101', version: fresh('7.0.12') })],
        [30, desired({ generation: 3, storage: fresh('20Gi') })],
      ],
      IMMEDIATE,
      drifting,
    );
    expect(resynced.state?.differences).toBe(verdict);
    expect(resynced.events).toEqual([]);
    // Re-spelled ('20480Mi'): another spec, so the rules run again, and find the same drift.
    const respelled = run([[40, desired({ generation: 4, storage: '20480Mi' })]], IMMEDIATE, resynced.state);
    expect(respelled.state?.differences).not.toBe(verdict);
    expect(respelled.state?.differences?.map((d) => d.desiredNormalized)).toEqual(
      verdict?.map((d) => d.desiredNormalized),
    );
    expect(respelled.events).toEqual([]);
  });

  it('emits changed when differences change, keeping the outstanding operation while only the observed value moves', () => {
    const r = run(
      [
        [10, desired({ generation: 2, replicas: 5 })],
        [20, observed({ resourceVersion: '101', replicas: 4 })],
      ],
      IMMEDIATE,
      inSync,
    );
    expect(summary(r.events)).toEqual(['opened:drifting', 'changed:drifting']);
    expect(r.operations).toHaveLength(1);
    expect(r.events[1]?.operationIds).toEqual(r.events[0]?.operationIds);
    expect(r.events[1]?.fingerprint).not.toBe(r.events[0]?.fingerprint);
  });

  it('creates a new operation when the desired target changes, and drops outstanding ones the drift no longer needs', () => {
    const r = run(
      [
        [10, desired({ generation: 2, replicas: 5, version: '7.0.14' })],
        [20, desired({ generation: 3, replicas: 7, version: '7.0.14' })],
        [30, observed({ resourceVersion: '101', version: '7.0.14' })],
      ],
      IMMEDIATE,
      inSync,
    );
    expect(summary(r.events)).toEqual(['opened:drifting', 'changed:drifting', 'changed:drifting']);
    expect(r.operations.map((o) => `${o.type}:${o.desiredGeneration}`)).toEqual([
      'HorizontalScaling:2',
      'UpdateVersion:2',
      'HorizontalScaling:3',
    ]);
    expect(r.events[2]?.operationIds).toEqual([r.operations[2]?.operationId]);
    expect(r.state?.open?.operationIds).toEqual([r.operations[2]?.operationId]);
  });

  it('resolves when the observed side catches up, clearing outstanding operations', () => {
    const r = run(
      [
        [10, desired({ generation: 2, replicas: 5 })],
        [20, observed({ resourceVersion: '101', replicas: 5 })],
      ],
      IMMEDIATE,
      inSync,
    );
    expect(summary(r.events)).toEqual(['opened:drifting', 'resolved:in_sync']);
    expect(r.events[1]).toMatchObject({
      differences: [],
      operationIds: [],
      sequence: (r.events[0]?.sequence ?? 0) + 1,
      fingerprint: r.events[0]?.fingerprint,
    });
    expect(r.state?.open).toBeNull();
  });

  it('derives event and operation ids from the inputs only: the same inputs give the same ids', () => {
    const inputs: [number, KeyInput][] = [
      [10, desired({ generation: 2, replicas: 5 })],
      [20, observed({ resourceVersion: '101', replicas: 4 })],
      [30, observed({ resourceVersion: '102', replicas: 5 })],
    ];
    const a = run(inputs, IMMEDIATE, inSync);
    const b = run(
      inputs.map(([t, i]) => [t + 1_000, i]),
      IMMEDIATE,
      inSync,
    );
    expect(b.events.map((e) => e.eventId)).toEqual(a.events.map((e) => e.eventId));
    expect(b.operations.map((o) => o.operationId)).toEqual(a.operations.map((o) => o.operationId));
    expect(new Set(a.events.map((e) => e.eventId)).size).toBe(3);
  });

  it('gives a recurring identical drift a new event id (the observed resourceVersion differs)', () => {
    const r = run(
      [
        [10, desired({ generation: 2, replicas: 5 })],
        [20, observed({ resourceVersion: '101', replicas: 5 })],
        [30, observed({ resourceVersion: '102', replicas: 3 })],
      ],
      IMMEDIATE,
      inSync,
    );
    expect(summary(r.events)).toEqual(['opened:drifting', 'resolved:in_sync', 'opened:drifting']);
    expect(r.events[2]?.eventId).not.toBe(r.events[0]?.eventId);
    expect(r.events[2]?.fingerprint).toBe(r.events[0]?.fingerprint);
  });

  it('takes the correlation id of the most recent record', () => {
    const r = run(
      [
        [
          2_000,
          observed({ resourceVersion: '101', replicas: 1, observedAtMs: 2_000, correlationId: 'watch-7' }),
        ],
      ],
      IMMEDIATE,
      inSync,
    );
    expect(r.events[0]?.correlationId).toBe('watch-7');
  });
});

describe('step: monotonic inputs', () => {
  const base = run([
    [0, desired({ generation: 5 })],
    [0, observed({ resourceVersion: '200' })],
  ]).state;

  it('ignores an older desired generation', () => {
    const r = run([[10, desired({ generation: 4, replicas: 9 })]], IMMEDIATE, base);
    expect(r.outputs).toEqual([]);
    expect(r.state).toBe(base);
  });

  it('ignores an older observed resourceVersion of the same object', () => {
    const r = run([[10, observed({ resourceVersion: '199', replicas: 9 })]], IMMEDIATE, base);
    expect(r.outputs).toEqual([]);
    expect(r.state).toBe(base);
  });

  it('accepts a recreated object (new uid) even with a lower resourceVersion', () => {
    const r = run([[10, observed({ resourceVersion: '3', uid: 'uid-2', replicas: 9 })]], IMMEDIATE, base);
    expect(summary(r.events)).toEqual(['opened:drifting']);
  });

  it('accepts any generation after a tombstone (the record was recreated)', () => {
    const r = run(
      [
        [10, DESIRED_GONE],
        [20, desired({ generation: 1 })],
      ],
      IMMEDIATE,
      base,
    );
    expect(summary(r.events)).toEqual(['opened:orphan', 'resolved:in_sync']);
  });
});

describe('step: persistence window', () => {
  const inSync = run(
    [
      [0, desired()],
      [0, observed()],
    ],
    DEBOUNCED,
  ).state;

  it('opens a drift only once it has persisted persistMs, on a tick', () => {
    const first = run([[100, desired({ generation: 2, replicas: 5 })]], DEBOUNCED, inSync);
    expect(first.events).toEqual([]);
    expect(first.state && nextDeadlineMs(first.state, DEBOUNCED)).toBe(1_100);
    const early = run([[1_099, TICK]], DEBOUNCED, first.state);
    expect(early.events).toEqual([]);
    const due = run([[1_100, TICK]], DEBOUNCED, early.state);
    expect(summary(due.events)).toEqual(['opened:drifting']);
    expect(due.events[0]?.detectedAtMs).toBe(1_100);
    expect(due.state && nextDeadlineMs(due.state, DEBOUNCED)).toBeNull();
  });

  it('emits nothing for a value that flips back before persistMs, however often', () => {
    const r = run(
      [
        [100, observed({ resourceVersion: '101', replicas: 4 })],
        [600, observed({ resourceVersion: '102', replicas: 3 })],
        [900, observed({ resourceVersion: '103', replicas: 4 })],
        [1_400, observed({ resourceVersion: '104', replicas: 3 })],
        [5_000, TICK],
      ],
      DEBOUNCED,
      inSync,
    );
    expect(r.events).toEqual([]);
    expect(r.state?.pending).toBeNull();
  });

  it('restarts the window when the candidate drift changes', () => {
    const r = run(
      [
        [100, observed({ resourceVersion: '101', replicas: 4 })],
        [900, observed({ resourceVersion: '102', replicas: 5 })],
        [1_100, TICK],
      ],
      DEBOUNCED,
      inSync,
    );
    expect(r.events).toEqual([]);
    expect(r.state && nextDeadlineMs(r.state, DEBOUNCED)).toBe(1_900);
  });

  it('debounces resolution too: a drift that disappears briefly stays open', () => {
    const opened = run(
      [
        [100, observed({ resourceVersion: '101', replicas: 4 })],
        [1_100, TICK],
      ],
      DEBOUNCED,
      inSync,
    );
    const r = run(
      [
        [2_000, observed({ resourceVersion: '102', replicas: 3 })],
        [2_500, observed({ resourceVersion: '103', replicas: 4 })],
        [4_000, TICK],
      ],
      DEBOUNCED,
      opened.state,
    );
    expect(r.events).toEqual([]);
    expect(r.state?.open?.keyStatus).toBe('drifting');
  });
});

describe('step: convergence', () => {
  const inSync = run(
    [
      [0, desired()],
      [0, observed()],
    ],
    DEBOUNCED,
  ).state;

  it.each([
    ['phase Updating', { phase: 'Updating' }],
    ['phase Provisioning', { phase: 'Provisioning' }],
    ['observedGeneration behind generation', { generation: 5, observedGeneration: 4 }],
  ])('holds a drift back while converging (%s) until the grace period ends', (_, converging) => {
    const r = run(
      [[100, observed({ resourceVersion: '101', replicas: 4, ...converging })]],
      DEBOUNCED,
      inSync,
    );
    expect(r.state && nextDeadlineMs(r.state, DEBOUNCED)).toBe(5_100);
    expect(run([[1_100, TICK]], DEBOUNCED, r.state).events).toEqual([]);
    expect(summary(run([[5_100, TICK]], DEBOUNCED, r.state).events)).toEqual(['opened:drifting']);
  });

  it('evaluates as soon as the object settles', () => {
    const r = run(
      [
        [100, observed({ resourceVersion: '101', replicas: 4, phase: 'Updating' })],
        [1_500, observed({ resourceVersion: '102', replicas: 4, phase: 'Ready' })],
      ],
      DEBOUNCED,
      inSync,
    );
    expect(summary(r.events)).toEqual(['opened:drifting']);
    expect(r.state?.convergingSinceMs).toBeNull();
  });

  it('counts the grace period from when converging began, not from the latest converging record', () => {
    const r = run(
      [
        [100, observed({ resourceVersion: '101', phase: 'Updating' })],
        [3_000, observed({ resourceVersion: '102', replicas: 4, phase: 'Updating' })],
        [5_100, TICK],
      ],
      DEBOUNCED,
      inSync,
    );
    expect(summary(r.events)).toEqual(['opened:drifting']);
  });
});

describe('step: freshness', () => {
  const inSync = run([
    [0, desired()],
    [0, observed()],
  ]).state;
  const drifting = run([[10, desired({ generation: 2, replicas: 5 })]], IMMEDIATE, inSync);

  it('reports unknown, not in_sync, for an in-sync key of a stale provider, without a drift event', () => {
    const r = run([[20, TICK, STALE]], IMMEDIATE, inSync);
    expect(r.statuses).toEqual(['unknown']);
    expect(r.events).toEqual([]);
  });

  it('turns an open drift into an unknown drift, keeping its differences and operations', () => {
    const r = run([[20, TICK, STALE]], IMMEDIATE, drifting.state);
    expect(summary(r.events)).toEqual(['changed:unknown']);
    const [event] = r.events;
    expect(event?.differences).toEqual(drifting.events[0]?.differences);
    expect(event?.operationIds).toEqual(drifting.events[0]?.operationIds);
    expect(event?.fingerprint).not.toBe(drifting.events[0]?.fingerprint);
    expect(r.operations).toEqual([]);
  });

  it('neither opens nor resolves drift on stale data', () => {
    expect(run([[20, desired({ generation: 2, replicas: 5 }), STALE]], IMMEDIATE, inSync).events).toEqual([]);
    const unknown = run([[20, TICK, STALE]], IMMEDIATE, drifting.state);
    expect(
      run([[30, observed({ resourceVersion: '101', replicas: 5 }), STALE]], IMMEDIATE, unknown.state).events,
    ).toEqual([]);
  });

  it('re-evaluates when fresh again: back to drifting with the same operations, or resolved', () => {
    const unknown = run([[20, TICK, STALE]], IMMEDIATE, drifting.state);
    const back = run([[30, TICK]], IMMEDIATE, unknown.state);
    expect(summary(back.events)).toEqual(['changed:drifting']);
    expect(back.events[0]?.fingerprint).toBe(drifting.events[0]?.fingerprint);
    expect(back.operations).toEqual([]);
    const fixed = run(
      [
        [30, observed({ resourceVersion: '101', replicas: 5 }), STALE],
        [40, TICK],
      ],
      IMMEDIATE,
      unknown.state,
    );
    expect(summary(fixed.events)).toEqual(['resolved:in_sync']);
  });

  it('gives each stale period its own event ids', () => {
    const once = run(
      [
        [20, TICK, STALE],
        [30, TICK],
      ],
      IMMEDIATE,
      drifting.state,
    );
    const twice = run(
      [
        [40, TICK, { fresh: false, staleSinceMs: 9_999, changesAtMs: null }],
        [50, TICK],
      ],
      IMMEDIATE,
      once.state,
    );
    const ids = [...once.events, ...twice.events].map((e) => e.eventId);
    expect(new Set(ids).size).toBe(4);
  });
});

describe('step: bad input', () => {
  it('opens a Manual drift for an observed record the watcher could not convert', () => {
    const r = run([
      [0, desired()],
      [0, observed({ valid: false, invalidReason: 'unparsable spec' })],
    ]);
    expect(summary(r.events)).toEqual(['opened:missing', 'changed:drifting']);
    expect(r.events[1]?.differences).toEqual([
      expect.objectContaining({ path: 'observed.valid', remediation: 'Manual' }),
    ]);
    expect(r.operations).toEqual([]);
  });
});

describe('step: sequence', () => {
  it('numbers events per key, monotonically', () => {
    const r = run([
      [0, desired()],
      [10, observed({ replicas: 4 })],
      [20, observed({ resourceVersion: '101' })],
      [30, OBSERVED_GONE],
    ]);
    expect(r.events.map((e) => e.sequence)).toEqual([1, 2, 3, 4]);
  });
});

describe('step: seeding the open drift from the drift topic', () => {
  // The live run: drift opened at 10/20, resolved by the observed record at 30.
  const live = run([
    [10, desired({ generation: 2, replicas: 5 })],
    [20, observed({ resourceVersion: '101', replicas: 4 })],
    [30, observed({ resourceVersion: '102', replicas: 5 })],
  ]);
  const opened = live.events.find((e) => e.keyStatus === 'drifting');
  const resolved = live.events.at(-1);
  const seed = (event: DriftEvent | undefined): KeyInput => ({ type: 'seed', event: event as DriftEvent });

  it('has a live run that opened then resolved the drift', () => {
    expect(summary(live.events)).toEqual(['opened:missing', 'changed:drifting', 'resolved:in_sync']);
  });

  it.each([
    {
      name: 'a seeded open drift the rebuilt inputs contradict resolves, with the live run’s event id',
      seeded: () => opened,
      expected: ['resolved:in_sync'],
      sameIdAsLive: true,
    },
    { name: 'a seeded resolution emits nothing', seeded: () => resolved, expected: [], sameIdAsLive: false },
  ])('$name', ({ seeded, expected, sameIdAsLive }) => {
    const r = run(
      [
        [0, seed(seeded())],
        [10, desired({ generation: 2, replicas: 5 })],
        [30, observed({ resourceVersion: '102', replicas: 5 })],
      ],
      DEBOUNCED,
    );
    expect(r.events).toEqual([]);
    const after = run([[1_030, TICK]], DEBOUNCED, r.state);
    expect(summary(after.events)).toEqual(expected);
    if (sameIdAsLive) {
      expect(after.events[0]?.eventId).toBe(resolved?.eventId);
      expect(after.events[0]?.sequence).toBe((opened?.sequence ?? 0) + 1);
    }
  });

  it('a seeded drift the inputs confirm stays open and is not emitted again', () => {
    const r = run(
      [
        [0, seed(opened)],
        [10, desired({ generation: 2, replicas: 5 })],
        [20, observed({ resourceVersion: '101', replicas: 4 })],
        [5_000, TICK],
      ],
      DEBOUNCED,
    );
    expect(r.events).toEqual([]);
    expect(r.state?.open?.fingerprint).toBe(opened?.fingerprint);
    expect(r.state?.open?.operationIds).toEqual(opened?.operationIds);
  });

  it('a seeded drift of a key without inputs resolves on a tick and drops the key', () => {
    const r = run(
      [
        [0, seed(opened)],
        [1, TICK],
      ],
      DEBOUNCED,
    );
    expect(summary(r.events)).toEqual(['resolved:in_sync']);
    expect(r.state).toBeNull();
  });
});
