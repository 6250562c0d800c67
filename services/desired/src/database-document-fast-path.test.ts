import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommonDatabaseDocument } from './database-document-fast-path.ts';
import { databaseDocumentSchema } from './source-document.ts';

// Each field draws mostly from valid values and sometimes from the edge cases of its rules and
// wrong types, so generated documents land on both sides of every check.
const field = (valid: readonly unknown[], edge: readonly unknown[]) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...valid), weight: 12 },
    { arbitrary: fc.constantFrom(...edge), weight: 1 },
  );
const quantity = field(
  [undefined, null, '500m', ' 2Gi ', '1.5', '+1e3', '1'.repeat(64)],
  ['Ki', '', '1Gb', ' ', '1'.repeat(65), 0.5, -1, Number.NaN, true],
);
const pair = fc.oneof(
  { arbitrary: fc.record({ cpu: quantity, memory: quantity }, { requiredKeys: [] }), weight: 12 },
  { arbitrary: fc.constantFrom(undefined, null, 'x', ['1']), weight: 1 },
);
const document = fc.record(
  {
    _id: fc.constantFrom('a', 7),
    provider: field(['prov-1', 'a.b_c-d', 'A', 'p'.repeat(128)], ['-x', 'a/b', '', 'p'.repeat(129), 3]),
    namespace: field(['team-a', 'a', 'a'.repeat(63)], ['Team', 'a-', 'a'.repeat(64), '', null]),
    name: field(['orders', 'db-1'], ['x_y', 'a'.repeat(64), undefined]),
    kind: field(['Postgres', 'MongoDB', 'P'.repeat(63)], ['postgres', 'P'.repeat(64), null, 1, undefined]),
    engine: field([undefined], ['postgres', 'unknown', '', null]),
    version: field(['16.1', 'v'.repeat(64)], ['', 'v'.repeat(65), 16]),
    replicas: field([0, 3, 1000], [1001, -1, 1.5, -0, Number.POSITIVE_INFINITY, '3', null]),
    storage: quantity,
    resources: fc.oneof(
      { arbitrary: fc.record({ requests: pair, limits: pair }, { requiredKeys: [] }), weight: 12 },
      { arbitrary: fc.constantFrom(undefined, null, 'big', []), weight: 1 },
    ),
    halted: field([undefined, true, false, null], ['yes', 0]),
    generation: field(
      [undefined, 0, 7, Number.MAX_SAFE_INTEGER, null],
      [Number.MAX_SAFE_INTEGER + 1, -1, 2.5, '7'],
    ),
    updatedAt: field(
      [undefined, new Date(1_700_000_000_000), null],
      [new Date(Number.NaN), 1_700_000_000_000],
    ),
    extra: fc.constantFrom('ignored', { nested: true }),
  },
  { requiredKeys: ['_id'] },
);

describe('parseCommonDatabaseDocument', () => {
  it('returns exactly what the schema returns for every document it accepts', () => {
    let accepted = 0;
    let valid = 0;
    fc.assert(
      fc.property(document, (raw) => {
        const parsed = databaseDocumentSchema.safeParse(raw);
        if (parsed.success) valid += 1;
        const fast = parseCommonDatabaseDocument(raw);
        if (fast === undefined) return;
        accepted += 1;
        expect(parsed.success).toBe(true);
        expect(fast).toEqual(parsed.data);
      }),
      { numRuns: 5_000 },
    );
    // Both sides were exercised: the fast path accepted some documents and left valid ones to zod.
    expect(accepted).toBeGreaterThan(50);
    expect(valid).toBeGreaterThan(accepted);
  });

  it('accepts the common shape (so the fast path is taken at all)', () => {
    const common = {
      _id: 'x',
      provider: 'prov-1',
      namespace: 'team-a',
      kind: 'Postgres',
      name: 'orders',
      version: '16.1',
      replicas: 3,
      storage: '20Gi',
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
      generation: 1,
    };
    expect(parseCommonDatabaseDocument(common)).toEqual(databaseDocumentSchema.parse(common));
    expect(parseCommonDatabaseDocument({ ...common, resources: null, halted: true })).toBeDefined();
  });

  it('leaves engine names, numeric quantities and non-plain objects to the schema', () => {
    const base = { provider: 'p', namespace: 'n', name: 'x', version: '1', replicas: 1 };
    expect(parseCommonDatabaseDocument({ ...base, engine: 'postgres' })).toBeUndefined();
    expect(parseCommonDatabaseDocument({ ...base, kind: 'Postgres', storage: 10 })).toBeUndefined();
    expect(
      parseCommonDatabaseDocument(Object.assign(new Date(), base, { kind: 'Postgres' })),
    ).toBeUndefined();
  });
});
