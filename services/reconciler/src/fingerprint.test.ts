import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  OPS_REQUEST_NAME_MAX_LENGTH,
  driftEventId,
  driftFingerprint,
  driftFingerprintOf,
  operationId,
  opsRequestName,
  targetFingerprint,
  targetFingerprintOf,
} from './fingerprint.ts';
import { detectDrift } from './rules.ts';
import { desiredRecord, observedRecord } from './test-records.ts';

const drift = (d: Parameters<typeof desiredRecord>[0], o: Parameters<typeof observedRecord>[0]) =>
  detectDrift(desiredRecord(d), observedRecord(o));

describe('driftFingerprint', () => {
  it('is a stable sha256 hex that ignores difference order and raw spellings', () => {
    const a = drift({ replicas: 5, storage: '20Gi' }, {});
    const b = drift({ replicas: 5, storage: '20480Mi' }, {});
    expect(driftFingerprint('drifting', a)).toMatch(/^[0-9a-f]{64}$/);
    expect(driftFingerprint('drifting', a)).toBe(driftFingerprint('drifting', [...a].reverse()));
    expect(driftFingerprint('drifting', a)).toBe(driftFingerprint('drifting', b));
  });

  it('changes with the key status, a normalised value or the remediation', () => {
    const base = drift({ replicas: 5 }, {});
    const fp = driftFingerprint('drifting', base);
    expect(driftFingerprint('unknown', base)).not.toBe(fp);
    expect(driftFingerprint('drifting', drift({ replicas: 5 }, { replicas: 4 }))).not.toBe(fp);
    expect(driftFingerprint('drifting', drift({ replicas: 6 }, {}))).not.toBe(fp);
    expect(driftFingerprint('missing', [])).not.toBe(driftFingerprint('orphan', []));
  });
});

describe('targetFingerprint', () => {
  it('depends on what an operation sets, not on the observed value', () => {
    expect(targetFingerprint(drift({ replicas: 5 }, { replicas: 3 }))).toBe(
      targetFingerprint(drift({ replicas: 5 }, { replicas: 4 })),
    );
    expect(targetFingerprint(drift({ replicas: 5 }, {}))).not.toBe(
      targetFingerprint(drift({ replicas: 6 }, {})),
    );
  });
});

describe('operationId', () => {
  it('is deterministic and changes with each of its inputs', () => {
    const id = operationId('k', 1, 'fp', 'HorizontalScaling');
    expect(id).toBe(operationId('k', 1, 'fp', 'HorizontalScaling'));
    expect(
      new Set([
        id,
        operationId('k2', 1, 'fp', 'HorizontalScaling'),
        operationId('k', 2, 'fp', 'HorizontalScaling'),
        operationId('k', 1, 'fp2', 'HorizontalScaling'),
        operationId('k', 1, 'fp', 'VerticalScaling'),
      ]).size,
    ).toBe(5);
  });
});

describe('driftEventId', () => {
  it('is deterministic and changes with each of its parts', () => {
    const parts = {
      key: 'k',
      status: 'opened',
      fingerprint: 'fp',
      desiredGeneration: 1,
      observedResourceVersion: '10',
      staleEpochMs: null,
    };
    const ids = new Set([
      driftEventId(parts),
      driftEventId({ ...parts, key: 'k2' }),
      driftEventId({ ...parts, status: 'changed' }),
      driftEventId({ ...parts, fingerprint: 'fp2' }),
      driftEventId({ ...parts, desiredGeneration: null }),
      driftEventId({ ...parts, observedResourceVersion: '11' }),
      driftEventId({ ...parts, staleEpochMs: 5 }),
    ]);
    expect(ids.size).toBe(7);
    expect(driftEventId({ ...parts })).toBe(driftEventId(parts));
  });
});

describe('opsRequestName', () => {
  const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

  it('is a readable DNS-1123 label carrying the type, the database and the id', () => {
    const id = operationId('p/ns/MongoDB/orders', 3, 'fp', 'VolumeExpansion');
    expect(opsRequestName(id, 'VolumeExpansion', 'orders')).toBe(`dl-volexp-orders-${id.slice(0, 16)}`);
  });

  it('is a DNS-1123 label of at most 63 characters for any database name (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300 }),
        fc.constantFrom('HorizontalScaling', 'VerticalScaling', 'VolumeExpansion', 'UpdateVersion' as const),
        (name, type) => {
          const id = operationId(name, 1, 'fp', type);
          const result = opsRequestName(id, type, name);
          expect(result.length).toBeLessThanOrEqual(OPS_REQUEST_NAME_MAX_LENGTH);
          expect(result).toMatch(DNS_1123_LABEL);
          expect(result.endsWith(id.slice(0, 16))).toBe(true);
        },
      ),
    );
  });
});

describe('driftFingerprintOf / targetFingerprintOf', () => {
  it('remember, per differences array, exactly what driftFingerprint and targetFingerprint compute', () => {
    const statuses = ['drifting', 'unknown', 'missing', 'orphan'] as const;
    const types = ['HorizontalScaling', 'UpdateVersion', 'VerticalScaling', 'VolumeExpansion'] as const;
    const value = {
      version: fc.constantFrom('7.0.12', '7.0.14'),
      replicas: fc.constantFrom(3, 5),
      storage: fc.constantFrom('10Gi', '20Gi'),
    };
    fc.assert(
      fc.property(fc.record(value), fc.record(value), (d, o) => {
        const differences = Object.freeze(drift(d, o));
        // Asked twice: the second answer comes from memory and must still be the computed one.
        for (let round = 0; round < 2; round++) {
          for (const status of statuses)
            expect(driftFingerprintOf(status, differences)).toBe(driftFingerprint(status, differences));
          for (const type of types)
            expect(targetFingerprintOf(differences, type)).toBe(
              targetFingerprint(differences.filter((x) => x.remediation === type)),
            );
        }
      }),
    );
  });
});
