import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convert, observedFingerprint, type ConverterContext } from './converter.ts';

const context: ConverterContext = {
  provider: 'p1',
  kind: 'MongoDB',
  containerName: 'mongodb',
  observedAtMs: 1_700_000_000_000,
};

function kubedb(overrides: { spec?: unknown; metadata?: Record<string, unknown>; status?: unknown } = {}) {
  return {
    apiVersion: 'kubedb.com/v1',
    kind: 'MongoDB',
    metadata: {
      name: 'orders',
      namespace: 'team-a',
      uid: 'u-1',
      resourceVersion: '42',
      generation: 3,
      annotations: { 'fleet-sim.driftline.io/changed-at-ms': '1699999999000' },
      ...overrides.metadata,
    },
    spec:
      'spec' in overrides
        ? overrides.spec
        : {
            version: '7.0.8',
            replicas: 3,
            storageType: 'Durable',
            storage: { resources: { requests: { storage: '10Gi' } } },
            podTemplate: {
              spec: {
                containers: [
                  { name: 'sidecar', resources: { requests: { cpu: '9' } } },
                  {
                    name: 'mongodb',
                    resources: {
                      requests: { cpu: '500m', memory: '1Gi' },
                      limits: { cpu: '1', memory: '2Gi' },
                    },
                  },
                ],
              },
            },
            halted: false,
          },
    status: overrides.status ?? { phase: 'Ready', observedGeneration: 3 },
  };
}

describe('convert', () => {
  it('maps a well-formed KubeDB object field by field', () => {
    expect(convert(kubedb(), context)).toEqual({
      key: 'p1/team-a/MongoDB/orders',
      provider: 'p1',
      namespace: 'team-a',
      kind: 'MongoDB',
      name: 'orders',
      valid: true,
      invalidReason: null,
      version: '7.0.8',
      replicas: 3,
      storage: '10Gi',
      resources: { cpuRequest: '500m', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '2Gi' },
      halted: false,
      phase: 'Ready',
      generation: 3,
      observedGeneration: 3,
      resourceVersion: '42',
      uid: 'u-1',
      sourceTimestampMs: 1_699_999_999_000,
      observedAtMs: 1_700_000_000_000,
      correlationId: 'p1/team-a/MongoDB/orders@42',
    });
  });

  it('falls back to the newest managedFields time when no change annotation is present', () => {
    const record = convert(
      kubedb({
        metadata: {
          annotations: {},
          managedFields: [{ time: '2024-01-01T00:00:00Z' }, { time: '2024-01-02T00:00:00Z' }],
        },
      }),
      context,
    );
    expect(record.sourceTimestampMs).toBe(Date.parse('2024-01-02T00:00:00Z'));
  });

  it.each([
    [
      'replicas not a number',
      { version: '7', replicas: 'three' },
      'spec.replicas is not a non-negative integer',
    ],
    [
      'unparsable storage',
      { version: '7', storage: { resources: { requests: { storage: 'lots' } } } },
      'spec.storage.resources.requests.storage is not a quantity',
    ],
    ['missing spec', undefined, 'spec is missing'],
    [
      'containers not a list',
      { version: '7', podTemplate: { spec: { containers: 'mongodb' } } },
      'spec.podTemplate.spec.containers is not a list',
    ],
    ['halted not a boolean', { version: '7', halted: 'yes' }, 'spec.halted is not a boolean'],
    ['version missing', { replicas: 1 }, 'spec.version is missing'],
  ])('flags %s as invalid with the reason, keeping key and resourceVersion', (_name, spec, reason) => {
    const record = convert(kubedb({ spec }), context);
    expect(record.valid).toBe(false);
    expect(record.invalidReason).toContain(reason);
    expect(record.key).toBe('p1/team-a/MongoDB/orders');
    expect(record.resourceVersion).toBe('42');
  });

  it('gives an object without a usable name a stable key under namespace "invalid"', () => {
    const bad = kubedb({ metadata: { name: 'Not/Valid', uid: 'u-9' } });
    const a = convert(bad, context);
    const b = convert(bad, { ...context, observedAtMs: 1 });
    expect(a.valid).toBe(false);
    expect(a.key).toMatch(/^p1\/invalid\/MongoDB\/invalid-[0-9a-f]{16}$/);
    expect(b.key).toBe(a.key);
  });

  it('fingerprint ignores observation time and correlation id, but not content', () => {
    const a = convert(kubedb(), context);
    const b = convert(kubedb(), { ...context, observedAtMs: 5 });
    const c = convert(kubedb({ spec: { version: '8' } }), context);
    expect(observedFingerprint(a)).toBe(observedFingerprint(b));
    expect(observedFingerprint(a)).not.toBe(observedFingerprint(c));
  });

  it('property: junk never throws and always yields a key, a resourceVersion string and a reason when invalid', () => {
    const junkSpec = fc.oneof(
      fc.anything(),
      fc.record(
        {
          version: fc.anything(),
          replicas: fc.anything(),
          halted: fc.anything(),
          storage: fc.oneof(
            fc.anything(),
            fc.record({ resources: fc.record({ requests: fc.record({ storage: fc.anything() }) }) }),
          ),
          podTemplate: fc.oneof(
            fc.anything(),
            fc.record({ spec: fc.record({ containers: fc.oneof(fc.anything(), fc.array(fc.anything())) }) }),
          ),
        },
        { requiredKeys: [] },
      ),
    );
    const junk = fc.oneof(
      fc.anything(),
      fc.record(
        {
          metadata: fc.oneof(
            fc.anything(),
            fc.record(
              {
                name: fc.anything(),
                namespace: fc.anything(),
                resourceVersion: fc.anything(),
                annotations: fc.anything(),
                managedFields: fc.anything(),
              },
              { requiredKeys: [] },
            ),
          ),
          spec: junkSpec,
          status: fc.anything(),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(junk, (object) => {
        const record = convert(object, context);
        expect(record.key.split('/')).toHaveLength(4);
        expect(typeof record.resourceVersion).toBe('string');
        expect(record.valid).toBe(record.invalidReason === null);
      }),
      { numRuns: 1000 },
    );
  }, 60_000);
});
