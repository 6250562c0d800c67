import fc from 'fast-check';
import { BSON, Long, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { parseCommonDatabaseBson, parseCommonDatabaseDocument } from './database-document-fast-path.ts';
import { databaseDocumentArbitrary as document } from './testing/database-document-arbitrary.ts';
import { databaseDocumentSchema } from './source-document.ts';

// The driver hands raw documents over as Buffers.
const serialize = (document: Record<string, unknown>): Buffer => Buffer.from(BSON.serialize(document));

// The common shape of a `databases` document: what the fast paths exist for.
const common = {
  provider: 'prov-1',
  namespace: 'team-a',
  kind: 'Postgres',
  name: 'orders',
  version: '16.1',
  replicas: 3,
  storage: '20Gi',
  resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
};

/**
 * holdsToSchema asserts, over generated documents, that a fast path returns exactly what the schema
 * returns for every document it accepts (`prepare` turns a generated document into the fast path's
 * input and the schema's), and that it accepts enough of them to be exercised at all. Returns how
 * many documents the schema found valid and the fast path accepted.
 */
function holdsToSchema<I>(
  prepare: (raw: Record<string, unknown>) => { input: I; decoded: unknown },
  fastPath: (input: I) => unknown,
): { valid: number; accepted: number } {
  let accepted = 0;
  let valid = 0;
  fc.assert(
    fc.property(document, (raw) => {
      const { input, decoded } = prepare(raw);
      const parsed = databaseDocumentSchema.safeParse(decoded);
      if (parsed.success) valid += 1;
      const fast = fastPath(input);
      if (fast === undefined) return;
      accepted += 1;
      expect(parsed.success).toBe(true);
      expect(fast).toEqual(parsed.data);
    }),
    { numRuns: 5_000 },
  );
  expect(accepted).toBeGreaterThan(50);
  return { valid, accepted };
}

describe('parseCommonDatabaseDocument', () => {
  it('returns exactly what the schema returns for every document it accepts', () => {
    const { valid, accepted } = holdsToSchema(
      (raw) => ({ input: raw, decoded: raw }),
      parseCommonDatabaseDocument,
    );
    // Both sides were exercised: the fast path left valid documents to zod too.
    expect(valid).toBeGreaterThan(accepted);
  });

  it('accepts the common shape (so the fast path is taken at all)', () => {
    const document = { _id: 'x', ...common, generation: 1 };
    expect(parseCommonDatabaseDocument(document)).toEqual(databaseDocumentSchema.parse(document));
    expect(parseCommonDatabaseDocument({ ...document, resources: null, halted: true })).toBeDefined();
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
    holdsToSchema((raw) => {
      const bson = serialize(raw);
      return { input: bson, decoded: BSON.deserialize(bson) };
    }, parseCommonDatabaseBson);
  });

  it('reads the common shape from BSON (so the fast path is taken at all)', () => {
    const bson = serialize({
      _id: new ObjectId(),
      ...common,
      generation: Long.fromNumber(7),
      updatedAt: new Date(1_700_000_000_000),
      labels: ['ignored', { deep: true }],
    });
    expect(parseCommonDatabaseBson(bson)).toEqual(databaseDocumentSchema.parse(BSON.deserialize(bson)));
  });
});
