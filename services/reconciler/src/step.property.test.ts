import fc from 'fast-check';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { FRESH } from './freshness.ts';
import { mapWithState, type Keyed } from './map-with-state.ts';
import {
  step,
  stepInPlace,
  type KeyInput,
  type KeyState,
  type ReconcilerConfig,
  type StepOutput,
} from './step.ts';
import { desiredRecord, observedRecord } from './test-records.ts';

// Properties of the per-key state machine lifted over a key table, with drift emitted at once
// (persistMs 0) so that outputs depend only on inputs.
const CONFIG: ReconcilerConfig = { persistMs: 0, convergenceGraceMs: 0, staleAfterMs: 60_000 };
const KEYS = [
  'prov-a/team-1/MongoDB/orders',
  'prov-a/team-2/MongoDB/users',
  'prov-b/team-1/Redis/cache',
] as const;

function processAll(inputs: readonly Keyed<KeyInput>[], store = new Map<string, KeyState>()): StepOutput[] {
  const outputs: StepOutput[] = [];
  from(inputs)
    .pipe(
      mapWithState(
        (state: KeyState | null, input: KeyInput, key) =>
          step(state, input, { key, nowMs: 0, freshness: FRESH }, CONFIG),
        { store },
      ),
    )
    .subscribe((output) => outputs.push(output));
  return outputs;
}

type Change =
  | { side: 'desired'; replicas: number; storage: string; version: string }
  | { side: 'observed'; replicas: number; storage: string; version: string }
  | { side: 'desired-gone' }
  | { side: 'observed-gone' };

const values = {
  replicas: fc.constantFrom(3, 5),
  storage: fc.constantFrom('10Gi', '10240Mi', '20Gi'),
  version: fc.constantFrom('7.0.12', '7.0.14'),
};
const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ side: fc.constant('desired' as const), ...values }),
  fc.record({ side: fc.constant('observed' as const), ...values }),
  fc.record({ side: fc.constant('desired-gone' as const) }),
  fc.record({ side: fc.constant('observed-gone' as const) }),
);

/** Turns one key's changes into inputs with monotonic generations and resourceVersions, as the producers write them. */
function toInputs(key: string, changes: readonly Change[]): Keyed<KeyInput>[] {
  return changes.map((c, i): Keyed<KeyInput> => {
    switch (c.side) {
      case 'desired':
        return {
          key,
          input: {
            type: 'desired',
            value: desiredRecord(
              { generation: i + 1, replicas: c.replicas, storage: c.storage, version: c.version },
              key,
            ),
          },
        };
      case 'observed':
        return {
          key,
          input: {
            type: 'observed',
            value: observedRecord(
              {
                resourceVersion: String(100 + i),
                replicas: c.replicas,
                storage: c.storage,
                version: c.version,
              },
              key,
            ),
          },
        };
      case 'desired-gone':
        return { key, input: { type: 'desired', value: null } };
      case 'observed-gone':
        return { key, input: { type: 'observed', value: null } };
    }
  });
}

/** Per-key histories plus a random interleaving of them that keeps each key's order (as Kafka does within a partition). */
const histories = fc.tuple(
  ...KEYS.map((key) => fc.array(change, { maxLength: 12 }).map((changes) => toInputs(key, changes))),
);
const interleave = (lists: readonly (readonly Keyed<KeyInput>[])[], picks: readonly number[]) => {
  const queues = lists.map((l) => [...l]);
  const merged: Keyed<KeyInput>[] = [];
  let pick = 0;
  for (;;) {
    const open = queues.filter((q) => q.length > 0);
    if (open.length === 0) return merged;
    const queue = open[(picks[pick++ % Math.max(picks.length, 1)] ?? 0) % open.length];
    const next = queue?.shift();
    if (next !== undefined) merged.push(next);
  }
};
const picks = fc.array(fc.nat(), { minLength: 1, maxLength: 40 });

const byKey = (outputs: readonly StepOutput[]) => {
  const grouped = new Map<string, StepOutput[]>();
  for (const output of outputs) {
    const key =
      output.type === 'status'
        ? output.key
        : output.type === 'drift'
          ? output.event.key
          : output.operation.key;
    grouped.set(key, [...(grouped.get(key) ?? []), output]);
  }
  return Object.fromEntries([...grouped].sort(([a], [b]) => a.localeCompare(b)));
};

const openDrifts = (store: ReadonlyMap<string, KeyState>) =>
  Object.fromEntries(
    [...store]
      .filter(([, s]) => s.open !== null)
      .map(([key, s]) => [key, `${s.open?.keyStatus}:${s.open?.fingerprint}`])
      .sort(([a = ''], [b = '']) => a.localeCompare(b)),
  );

describe('reconciler core (property)', () => {
  it('gives each key the same outputs however keys interleave', () => {
    fc.assert(
      fc.property(histories, picks, picks, (lists, a, b) => {
        expect(byKey(processAll(interleave(lists, a)))).toEqual(byKey(processAll(interleave(lists, b))));
      }),
    );
  });

  it('gives the same outputs when every input is delivered twice (at-least-once redelivery)', () => {
    fc.assert(
      fc.property(histories, picks, (lists, p) => {
        const once = interleave(lists, p);
        const twice = once.flatMap((input) => [input, input]);
        expect(processAll(twice)).toEqual(processAll(once));
      }),
    );
  });

  it('is deterministic: the same inputs give equal outputs, ids included', () => {
    fc.assert(
      fc.property(histories, picks, (lists, p) => {
        const inputs = interleave(lists, p);
        expect(processAll(inputs)).toEqual(processAll(inputs));
      }),
    );
  });

  it('ends with the drift set of the latest records per key: replaying the compacted inputs gives the same open drifts', () => {
    fc.assert(
      fc.property(histories, picks, (lists, p) => {
        const full = new Map<string, KeyState>();
        processAll(interleave(lists, p), full);
        const latest = new Map<string, Keyed<KeyInput>>();
        for (const input of lists.flat()) latest.set(`${input.input.type}|${input.key}`, input);
        const compacted = new Map<string, KeyState>();
        processAll([...latest.values()], compacted);
        expect(openDrifts(compacted)).toEqual(openDrifts(full));
        expect([...compacted.keys()].sort()).toEqual([...full.keys()].sort());
      }),
    );
  });

  it('skips the rules only when that changes nothing: a state without its kept verdict gives an equal result', () => {
    const staleness = fc.array(fc.boolean(), { minLength: 1, maxLength: 40 });
    const stale = { fresh: false, staleSinceMs: 5, changesAtMs: null };
    fc.assert(
      fc.property(histories, picks, staleness, (lists, p, flags) => {
        const store = new Map<string, KeyState>();
        interleave(lists, p).forEach(({ key, input }, i) => {
          const ctx = { key, nowMs: i, freshness: flags[i % flags.length] === true ? stale : FRESH };
          const state = store.get(key) ?? null;
          const kept = step(state, input, ctx, CONFIG);
          // The slow path: the same state, but the rules must run again.
          const recomputed = step(
            state === null ? null : { ...state, differences: null },
            input,
            ctx,
            CONFIG,
          );
          expect(kept.outputs).toEqual(recomputed.outputs);
          expect(kept.state === null ? null : { ...kept.state, differences: null }).toEqual(
            recomputed.state === null ? null : { ...recomputed.state, differences: null },
          );
          if (kept.state?.differences != null && recomputed.state?.differences != null)
            expect(kept.state.differences).toEqual(recomputed.state.differences);
          if (kept.state === null) store.delete(key);
          else store.set(key, kept.state);
        });
      }),
    );
  });

  it('updates a state in place exactly as it steps a copy: stepInPlace gives the outputs and states of step, which never changes its argument', () => {
    // Debounced and converging, with ticks, stale periods, older records and redeliveries: every
    // path of the step, including pending transitions, persistence windows and grace.
    const debounced: ReconcilerConfig = { persistMs: 3, convergenceGraceMs: 5, staleAfterMs: 60_000 };
    const stale = { fresh: false, staleSinceMs: 5, changesAtMs: null };
    const extra = fc.array(
      fc.record({ kind: fc.constantFrom('tick', 'converging', 'older', 'again'), at: fc.nat(40) }),
      { maxLength: 10 },
    );
    const staleness = fc.array(fc.boolean(), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(histories, picks, extra, staleness, (lists, p, extras, flags) => {
        const inputs = interleave(lists, p);
        for (const { kind, at } of extras) {
          const key = KEYS[at % KEYS.length] ?? KEYS[0];
          const input: KeyInput =
            kind === 'tick'
              ? { type: 'tick' }
              : kind === 'converging'
                ? {
                    type: 'observed',
                    value: observedRecord({ resourceVersion: '999', phase: 'Updating' }, key),
                  }
                : kind === 'older'
                  ? { type: 'desired', value: desiredRecord({ generation: 0 }, key) }
                  : (inputs[at % Math.max(inputs.length, 1)]?.input ?? { type: 'tick' });
          inputs.splice(at % (inputs.length + 1), 0, { key, input });
        }
        const pure = new Map<string, KeyState>();
        const owned = new Map<string, KeyState>();
        inputs.forEach(({ key, input }, i) => {
          const ctx = { key, nowMs: i, freshness: flags[i % flags.length] === true ? stale : FRESH };
          const before = pure.get(key) ?? null;
          const snapshot = before === null ? null : { ...before };
          const expected = step(before, input, ctx, debounced);
          expect(before === null ? null : { ...before }).toEqual(snapshot);
          const actual = stepInPlace(owned.get(key) ?? null, input, ctx, debounced);
          expect(actual.outputs).toEqual(expected.outputs);
          expect(actual.state === null ? null : { ...actual.state }).toEqual(
            expected.state === null ? null : { ...expected.state },
          );
          for (const [table, result] of [
            [pure, expected],
            [owned, actual],
          ] as const) {
            if (result.state === null) table.delete(key);
            else table.set(key, result.state);
          }
        });
      }),
    );
  });

  it('keeps no state once every key is tombstoned on both sides (no leak)', () => {
    fc.assert(
      fc.property(histories, picks, (lists, p) => {
        const store = new Map<string, KeyState>();
        const deletions = KEYS.flatMap((key): Keyed<KeyInput>[] => [
          { key, input: { type: 'desired', value: null } },
          { key, input: { type: 'observed', value: null } },
        ]);
        const outputs = processAll([...interleave(lists, p), ...deletions], store);
        expect(store.size).toBe(0);
        const openAtEnd = new Map<string, boolean>();
        for (const o of outputs)
          if (o.type === 'drift') openAtEnd.set(o.event.key, o.event.status !== 'resolved');
        expect([...openAtEnd.values()].filter(Boolean)).toEqual([]);
      }),
    );
  });
});
