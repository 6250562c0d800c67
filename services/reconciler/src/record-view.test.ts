import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { desiredSpec, observedSpec } from './record-view.ts';
import { desiredRecord, observedRecord } from './test-records.ts';

const freshCopy = (text: string) => Buffer.from(text, 'latin1').toString('latin1');

describe('desiredSpec / observedSpec', () => {
  it('share one frozen spec between records with equal compared fields, whatever their other fields', () => {
    const a = desiredSpec(desiredRecord({ generation: 1, correlationId: 'a' }), null);
    const b = desiredSpec(
      desiredRecord({ generation: 7, version: freshCopy('7.0.12') }, 'prov-a/team-2/MongoDB/x'),
      null,
    );
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(a).toEqual({
      provider: 'prov-a',
      kind: 'MongoDB',
      version: '7.0.12',
      replicas: 3,
      storage: '10Gi',
      halted: false,
      resources: { cpuRequest: '500m', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '2Gi' },
    });
    const o = observedSpec(observedRecord({ resourceVersion: '5' }), null);
    expect(observedSpec(observedRecord({ uid: 'other', storage: freshCopy('10Gi') }), null)).toBe(o);
  });

  it('keep the previous spec when nothing compared changed, and tell apart specs differing in any field or null', () => {
    const previous = observedSpec(observedRecord(), null);
    expect(observedSpec(observedRecord({ resourceVersion: '101', phase: 'Updating' }), previous)).toBe(
      previous,
    );
    for (const change of [
      { replicas: null },
      { storage: '10240Mi' },
      { halted: null },
      { valid: false, invalidReason: 'bad' },
      { resources: { cpuRequest: '500m', cpuLimit: null, memoryRequest: '1Gi', memoryLimit: '2Gi' } },
    ]) {
      const changed = observedSpec(observedRecord(change), previous);
      expect(changed).not.toBe(previous);
      expect(changed).toMatchObject(change);
    }
  });

  it('the reuse path gives the spec the record would get on its own (property)', () => {
    const value = {
      version: fc.constantFrom('7.0.12', '7.0.14'),
      replicas: fc.constantFrom(3, 5),
      storage: fc.constantFrom('10Gi', '10240Mi', null),
      halted: fc.boolean(),
    };
    fc.assert(
      fc.property(fc.record(value), fc.record(value), (first, second) => {
        const previous = desiredSpec(desiredRecord(first), null);
        const record = desiredRecord({ ...second, version: freshCopy(second.version) });
        expect(desiredSpec(record, previous)).toBe(desiredSpec(record, null));
      }),
    );
  });
});
