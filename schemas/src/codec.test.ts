import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCodec, loadSchemas, readSchemaText, schemasDir } from './codec.ts';
import {
  DRIFT_STATUSES,
  KEY_STATUSES,
  REMEDIATIONS,
  type DesiredDatabase,
  type DriftEvent,
} from './records.ts';
import { sampleValues } from './sample-values.ts';
import { topicContracts, topicIds } from './topic-contracts.ts';

const samples = sampleValues;

/** at returns xs[i] or fails the test: samples and schema lookups must exist. */
function at<T>(xs: readonly T[], i = 0): T {
  const x = xs[i];
  if (x === undefined) throw new Error(`no element ${i}`);
  return x;
}

/** defined returns x or fails the test. */
function defined<T>(x: T | undefined): T {
  if (x === undefined) throw new Error('undefined');
  return x;
}

interface FieldSchema {
  name: string;
  doc?: string;
  type: unknown;
  default?: unknown;
}

/** Walks every record of a schema JSON, calling `visit` for each field with its dotted path. */
function walkFields(schema: unknown, visit: (path: string, field: FieldSchema) => void, prefix = ''): void {
  if (Array.isArray(schema)) {
    for (const branch of schema) walkFields(branch, visit, prefix);
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as { type?: unknown; fields?: FieldSchema[]; items?: unknown };
  if (node.type === 'record' && node.fields) {
    for (const field of node.fields) {
      const path = prefix === '' ? field.name : `${prefix}.${field.name}`;
      visit(path, field);
      walkFields(field.type, visit, path);
    }
  } else if (node.type === 'array') {
    walkFields(node.items, visit, prefix);
  }
}

describe('topic value codecs', () => {
  const schemas = loadSchemas();

  it.each(topicIds)('%s: typed samples are valid and survive encode/decode unchanged', (id) => {
    const codec = schemas[id];
    const values = samples[id] as unknown[];
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) {
      expect(codec.isValid(value)).toBe(true);
      const decoded = (codec.decode as (b: Buffer) => unknown)(
        (codec.encode as (v: unknown) => Buffer)(value),
      );
      expect(decoded).toEqual(value);
    }
  });

  it('rejects undeclared and missing fields, so the TS types and the schemas cannot drift apart', () => {
    const first = at(samples.desired);
    expect(schemas.desired.isValid({ ...first, extra: 1 })).toBe(false);
    const { version: _omitted, ...missing } = first;
    expect(schemas.desired.isValid(missing)).toBe(false);
    // A field the schema has but the TS type lacks would come back as null and fail the round trip.
    const { clusterTime: _absent, ...withoutNullable } = first;
    expect(schemas.desired.decode(schemas.desired.encode(withoutNullable as DesiredDatabase))).not.toEqual(
      withoutNullable,
    );
  });

  it('refuses to encode a long beyond 2^53 instead of losing precision', () => {
    expect(() => schemas.desired.encode({ ...at(samples.desired), generation: 2 ** 53 + 2 })).toThrow();
  });

  it('decodes timestamp-millis as a plain number of epoch milliseconds', () => {
    const decoded = schemas.observed.decode(schemas.observed.encode(at(samples.observed)));
    expect(typeof decoded.observedAtMs).toBe('number');
    expect(decoded.observedAtMs).toBe(1_764_000_000_500);
  });

  it('refuses enum symbols outside the contract when encoding', () => {
    const bad = { ...at(samples.drift), status: 'reopened' } as unknown as DriftEvent;
    expect(() => schemas.drift.encode(bad)).toThrow();
  });

  it('reads an unknown future enum symbol as the enum default (forward compatibility for old readers)', () => {
    const schema = JSON.parse(readSchemaText('drift')) as {
      fields: { name: string; type: { symbols?: string[] } }[];
    };
    const status = defined(schema.fields.find((f) => f.name === 'status'));
    status.type.symbols = [...defined(status.type.symbols), 'suppressed'];
    const future = createCodec<DriftEvent>(JSON.stringify(schema));
    const written = future.encode({ ...at(samples.drift), status: 'suppressed' as DriftEvent['status'] });
    const current = loadSchemas().drift.type;
    const read = current.fromBuffer(written, current.createResolver(future.type)) as DriftEvent;
    expect(read.status).toBe('changed');
  });
});

describe('schema files', () => {
  it('every .avsc in schemas/ belongs to exactly one topic contract', () => {
    const files = readdirSync(schemasDir).filter((f) => f.endsWith('.avsc'));
    expect(files.sort()).toEqual(topicIds.map((id) => topicContracts[id].schemaFile).sort());
  });

  it.each(topicIds)(
    '%s: namespace io.driftline.v1, record name as in the table, a doc on every field',
    (id) => {
      const schema = JSON.parse(readSchemaText(id)) as { name: string; namespace: string; doc?: string };
      expect(`${schema.namespace}.${schema.name}`).toBe(topicContracts[id].recordName);
      expect(schema.namespace).toBe('io.driftline.v1');
      expect(schema.doc).toBeTruthy();
      const undocumented: string[] = [];
      walkFields(schema, (path, field) => {
        if (!field.doc) undocumented.push(path);
      });
      expect(undocumented).toEqual([]);
    },
  );

  it.each(topicIds)('%s: nullable fields are ["null", T] with default null', (id) => {
    const wrong: string[] = [];
    walkFields(JSON.parse(readSchemaText(id)), (path, field) => {
      if (Array.isArray(field.type) && (field.type[0] !== 'null' || field.default !== null)) wrong.push(path);
    });
    expect(wrong).toEqual([]);
  });

  it.each(topicIds)('%s: every *Ms field is a long with logicalType timestamp-millis', (id) => {
    const wrong: string[] = [];
    walkFields(JSON.parse(readSchemaText(id)), (path, field) => {
      if (!field.name.endsWith('Ms')) return;
      const branches = Array.isArray(field.type) ? field.type.filter((t) => t !== 'null') : [field.type];
      const ok =
        branches.length === 1 &&
        JSON.stringify(branches[0]) === JSON.stringify({ type: 'long', logicalType: 'timestamp-millis' });
      if (!ok) wrong.push(path);
    });
    expect(wrong).toEqual([]);
  });

  it('enum symbols equal the TypeScript unions, and every enum has a default', () => {
    const enums = new Map<string, { symbols: string[]; default?: string }>();
    walkFields(JSON.parse(readSchemaText('drift')), (_path, field) => {
      const t = field.type as { type?: string; name?: string; symbols?: string[]; default?: string };
      if (t.type === 'enum') enums.set(defined(t.name), { symbols: defined(t.symbols), default: t.default });
    });
    expect(enums.get('DriftStatus')).toEqual({ symbols: [...DRIFT_STATUSES], default: 'changed' });
    expect(enums.get('KeyStatus')).toEqual({ symbols: [...KEY_STATUSES], default: 'unknown' });
    expect(enums.get('Remediation')).toEqual({ symbols: [...REMEDIATIONS], default: 'Manual' });
  });
});

describe('topicContracts', () => {
  it('co-partitions exactly desired, observed, drift and operations, and compacts exactly the state topics', () => {
    const coPartitioned = topicIds.filter((id) => topicContracts[id].coPartitioned);
    const compacted = topicIds.filter((id) => topicContracts[id].compacted);
    expect(coPartitioned).toEqual(['desired', 'observed', 'drift', 'operations']);
    expect(compacted).toEqual(['providers', 'providerHealth', 'desired', 'observed']);
  });

  it('default names follow driftline.<name>.v1', () => {
    for (const id of topicIds) expect(topicContracts[id].defaultName).toMatch(/^driftline\.[a-z-]+\.v1$/);
  });
});
