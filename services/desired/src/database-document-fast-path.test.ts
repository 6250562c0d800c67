import fc from 'fast-check';
import { BSON, Long, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { parseCommonDatabaseBson, parseCommonDatabaseDocument } from './database-document-fast-path.ts';
import { databaseDocumentArbitrary as document } from './testing/database-document-arbitrary.ts';
import { databaseDocumentSchema } from './source-document.ts';

// The driver hands raw documents over as Buffers.
const serialize = (document: Record<string, unknown>): Buffer => Buffer.from(BSON.serialize(document));

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

  it('reads from BSON exactly what the schema returns for the decoded document', () => {
    let accepted = 0;
    fc.assert(
      fc.property(document, (raw) => {
        const bson = serialize(raw);
        const parsed = databaseDocumentSchema.safeParse(BSON.deserialize(bson));
        const fast = parseCommonDatabaseBson(bson);
        if (fast === undefined) return;
        accepted += 1;
        expect(parsed.success).toBe(true);
        expect(fast).toEqual(parsed.data);
      }),
      { numRuns: 5_000 },
    );
    expect(accepted).toBeGreaterThan(50);
  });

  it('reads the common shape from BSON (so the fast path is taken at all)', () => {
    const common = {
      _id: new ObjectId(),
      provider: 'prov-1',
      namespace: 'team-a',
      kind: 'Postgres',
      name: 'orders',
      version: '16.1',
      replicas: 3,
      storage: '20Gi',
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
      generation: Long.fromNumber(7),
      updatedAt: new Date(1_700_000_000_000),
      labels: ['ignored', { deep: true }],
    };
    const bson = serialize(common);
    expect(parseCommonDatabaseBson(bson)).toEqual(databaseDocumentSchema.parse(BSON.deserialize(bson)));
  });
});
