import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { desiredSpec, observedSpec } from './record-view.ts';
import { detectDrift } from './rules.ts';
import { desiredRecord, observedRecord } from './test-records.ts';
import { verdictOf } from './verdict.ts';

describe('verdictOf', () => {
  it('is the rules’ verdict on the two specs, one frozen array per pair (property)', () => {
    const value = {
      version: fc.constantFrom('7.0.12', '7.0.14'),
      replicas: fc.constantFrom(3, 5),
      storage: fc.constantFrom('10Gi', '10240Mi', '20Gi', null),
      halted: fc.boolean(),
    };
    fc.assert(
      fc.property(fc.record(value), fc.record(value), (d, o) => {
        const desired = desiredSpec(desiredRecord(d), null);
        const observed = observedSpec(observedRecord(o), null);
        const verdict = verdictOf(desired, observed);
        expect(verdict).toEqual(detectDrift(desired, observed));
        expect(Object.isFrozen(verdict)).toBe(true);
        expect(verdictOf(desired, observed)).toBe(verdict);
      }),
    );
  });
});
