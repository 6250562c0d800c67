import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DRIFT_RULES, detectDrift, sameDifferences } from './rules.ts';
import { desiredRecord, observedRecord } from './test-records.ts';

const resources = (overrides: Partial<ReturnType<typeof desiredRecord>['resources']>) => ({
  ...desiredRecord().resources,
  ...overrides,
});

describe('detectDrift', () => {
  it('reports nothing for an observed record equal to the desired one', () => {
    expect(detectDrift(desiredRecord(), observedRecord())).toEqual([]);
  });

  it.each([
    ['spec.replicas', { replicas: 5 }, { replicas: 3 }, '5', '3', 'HorizontalScaling'],
    ['spec.version', { version: '7.0.14' }, { version: '7.0.12' }, '7.0.14', '7.0.12', 'UpdateVersion'],
    [
      'spec.storage',
      { storage: '20Gi' },
      { storage: '10Gi' },
      '21474836480',
      '10737418240',
      'VolumeExpansion',
    ],
    ['spec.storage', { storage: '5Gi' }, { storage: '10Gi' }, '5368709120', '10737418240', 'Manual'],
    ['spec.storage', { storage: '10Gi' }, { storage: null }, '10737418240', null, 'Manual'],
    ['spec.halted', { halted: true }, { halted: false }, 'true', 'false', 'Manual'],
    ['spec.kind', { kind: 'Postgres' }, {}, 'Postgres', 'MongoDB', 'Manual'],
  ] as const)('%s: %j vs %j → %s/%s %s', (path, d, o, dn, on, remediation) => {
    expect(detectDrift(desiredRecord(d), observedRecord(o))).toEqual([
      expect.objectContaining({ path, desiredNormalized: dn, observedNormalized: on, remediation }),
    ]);
  });

  it('keeps both raw spellings next to the normalised values', () => {
    const [difference] = detectDrift(
      desiredRecord({ resources: resources({ cpuRequest: '1500m' }) }),
      observedRecord({ resources: resources({ cpuRequest: '0.5' }) }),
    );
    expect(difference).toEqual({
      path: 'resources.cpuRequest',
      desired: '1500m',
      observed: '0.5',
      desiredNormalized: expect.any(String),
      observedNormalized: expect.any(String),
      remediation: 'VerticalScaling',
    });
    expect(difference?.desiredNormalized).not.toBe(difference?.observedNormalized);
  });

  it.each([
    ['memoryRequest', '1Gi', '1024Mi'],
    ['memoryLimit', '2Gi', '2147483648'],
    ['cpuRequest', '500m', '0.5'],
    ['cpuLimit', '1', '1000m'],
  ] as const)('treats %s %s and %s as equal', (field, desired, observed) => {
    expect(
      detectDrift(
        desiredRecord({ resources: resources({ [field]: desired }) }),
        observedRecord({ resources: resources({ [field]: observed }) }),
      ),
    ).toEqual([]);
  });

  it('reports every resource field as VerticalScaling', () => {
    const differences = detectDrift(
      desiredRecord({
        resources: { cpuRequest: '1', cpuLimit: '2', memoryRequest: '2Gi', memoryLimit: '4Gi' },
      }),
      observedRecord(),
    );
    expect(differences.map((d) => [d.path, d.remediation])).toEqual([
      ['resources.cpuLimit', 'VerticalScaling'],
      ['resources.cpuRequest', 'VerticalScaling'],
      ['resources.memoryLimit', 'VerticalScaling'],
      ['resources.memoryRequest', 'VerticalScaling'],
    ]);
  });

  it('flags an unparsable observed quantity as a Manual difference instead of throwing', () => {
    expect(detectDrift(desiredRecord(), observedRecord({ storage: 'ten gigs' }))).toEqual([
      {
        path: 'spec.storage',
        desired: '10Gi',
        observed: 'ten gigs',
        desiredNormalized: '10737418240',
        observedNormalized: null,
        remediation: 'Manual',
      },
    ]);
  });

  it('flags an unparsable desired quantity as a Manual difference', () => {
    expect(detectDrift(desiredRecord({ storage: '10 Gi' }), observedRecord())).toEqual([
      expect.objectContaining({ path: 'spec.storage', desiredNormalized: null, remediation: 'Manual' }),
    ]);
  });

  it('ignores fields the platform leaves unset (desired null)', () => {
    const desired = desiredRecord({ storage: null, resources: resources({ cpuLimit: null }) });
    expect(
      detectDrift(desired, observedRecord({ storage: '1Ti', resources: resources({ cpuLimit: '64' }) })),
    ).toEqual([]);
  });

  it('reports an observed value the cluster lacks with the rule remediation', () => {
    expect(detectDrift(desiredRecord(), observedRecord({ replicas: null }))).toEqual([
      expect.objectContaining({
        path: 'spec.replicas',
        observed: null,
        observedNormalized: null,
        remediation: 'HorizontalScaling',
      }),
    ]);
  });

  it('reports an invalid observed record as one Manual difference, whatever its fields say', () => {
    expect(
      detectDrift(
        desiredRecord(),
        observedRecord({ valid: false, invalidReason: 'spec.replicas: not a number', replicas: null }),
      ),
    ).toEqual([
      {
        path: 'observed.valid',
        desired: 'true',
        observed: 'spec.replicas: not a number',
        desiredNormalized: 'true',
        observedNormalized: 'false',
        remediation: 'Manual',
      },
    ]);
  });

  it('returns differences in path order', () => {
    const differences = detectDrift(
      desiredRecord({ version: '8.0.0', replicas: 5, halted: true }),
      observedRecord(),
    );
    const paths = differences.map((d) => d.path);
    expect(paths).toEqual(['spec.halted', 'spec.replicas', 'spec.version']);
  });

  it('has one row per path, sorted', () => {
    const paths = DRIFT_RULES.map((r) => r.path);
    expect(paths).toEqual([...new Set(paths)].sort());
  });
});

describe('sameDifferences', () => {
  it('ignores raw spellings but not normalised values', () => {
    const a = detectDrift(desiredRecord({ storage: '20Gi' }), observedRecord({ storage: '10Gi' }));
    const b = detectDrift(desiredRecord({ storage: '20480Mi' }), observedRecord({ storage: '10240Mi' }));
    const c = detectDrift(desiredRecord({ storage: '20Gi' }), observedRecord({ storage: '11Gi' }));
    expect(sameDifferences(a, b)).toBe(true);
    expect(sameDifferences(a, c)).toBe(false);
  });

  it('compares raw values where a value could not be normalised', () => {
    const a = detectDrift(desiredRecord(), observedRecord({ storage: 'garbage' }));
    const b = detectDrift(desiredRecord(), observedRecord({ storage: 'rubbish' }));
    expect(sameDifferences(a, b)).toBe(false);
    expect(sameDifferences(a, a.slice())).toBe(true);
  });
});

// Property: a field differs iff its values differ after normalisation. The oracle knows each
// generated quantity's exact value (an integer count of bytes or millicores) independently of the
// parser under test, and renders it in a random but equivalent spelling.
const BINARY = [
  ['', 1n],
  ['Ki', 1024n],
  ['Mi', 1024n ** 2n],
  ['Gi', 1024n ** 3n],
] as const;
const bytesSpelling = (bytes: bigint) =>
  fc
    .constantFrom(...BINARY.filter(([, unit]) => bytes % unit === 0n))
    .map(([suffix, unit]) => `${bytes / unit}${suffix}`);
const bytes = fc.constantFrom(512n * 1024n ** 2n, 1024n ** 3n, 2n * 1024n ** 3n, 1536n * 1024n ** 2n);
const bytesQuantity = bytes.chain((value) => bytesSpelling(value).map((text) => ({ value, text })));
const millis = fc.constantFrom(250n, 500n, 1000n, 1500n, 2000n);
const cpuSpelling = (m: bigint) =>
  fc.constantFrom(
    `${m}m`,
    m % 1000n === 0n
      ? `${m / 1000n}`
      : `${m / 1000n}.${String(m % 1000n)
          .padStart(3, '0')
          .replace(/0+$/, '')}`,
  );
const cpuQuantity = millis.chain((value) => cpuSpelling(value).map((text) => ({ value, text })));

const side = fc.record({
  version: fc.constantFrom('7.0.12', '7.0.14'),
  replicas: fc.integer({ min: 1, max: 3 }),
  halted: fc.boolean(),
  storage: bytesQuantity,
  cpuRequest: cpuQuantity,
  cpuLimit: cpuQuantity,
  memoryRequest: bytesQuantity,
  memoryLimit: bytesQuantity,
});

describe('drift rules (property)', () => {
  it('report a field iff its two values differ after normalisation', () => {
    fc.assert(
      fc.property(side, side, (d, o) => {
        const differences = detectDrift(
          desiredRecord({
            version: d.version,
            replicas: d.replicas,
            halted: d.halted,
            storage: d.storage.text,
            resources: {
              cpuRequest: d.cpuRequest.text,
              cpuLimit: d.cpuLimit.text,
              memoryRequest: d.memoryRequest.text,
              memoryLimit: d.memoryLimit.text,
            },
          }),
          observedRecord({
            version: o.version,
            replicas: o.replicas,
            halted: o.halted,
            storage: o.storage.text,
            resources: {
              cpuRequest: o.cpuRequest.text,
              cpuLimit: o.cpuLimit.text,
              memoryRequest: o.memoryRequest.text,
              memoryLimit: o.memoryLimit.text,
            },
          }),
        );
        const expected = [
          ['resources.cpuLimit', d.cpuLimit.value !== o.cpuLimit.value],
          ['resources.cpuRequest', d.cpuRequest.value !== o.cpuRequest.value],
          ['resources.memoryLimit', d.memoryLimit.value !== o.memoryLimit.value],
          ['resources.memoryRequest', d.memoryRequest.value !== o.memoryRequest.value],
          ['spec.halted', d.halted !== o.halted],
          ['spec.replicas', d.replicas !== o.replicas],
          ['spec.storage', d.storage.value !== o.storage.value],
          ['spec.version', d.version !== o.version],
        ]
          .filter(([, differs]) => differs)
          .map(([path]) => path);
        expect(differences.map((x) => x.path)).toEqual(expected);
        for (const x of differences) expect(x.desiredNormalized).not.toBe(x.observedNormalized);
        const storage = differences.find((x) => x.path === 'spec.storage');
        if (storage !== undefined) {
          expect(storage.remediation).toBe(d.storage.value > o.storage.value ? 'VolumeExpansion' : 'Manual');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('normalise equal quantities to the same text whatever the spelling', () => {
    fc.assert(
      fc.property(
        bytes.chain((v) => fc.tuple(bytesSpelling(v), bytesSpelling(v))),
        ([a, b]) => {
          const differences = detectDrift(desiredRecord({ storage: a }), observedRecord({ storage: b }));
          expect(differences).toEqual([]);
        },
      ),
    );
  });
});
