import { describe, expect, it } from 'vitest';
import { readSchemaText } from './codec.ts';
import { checkBackward, type CompatResult } from './compat.ts';
import { topicIds } from './topic-contracts.ts';

const base = {
  type: 'record',
  name: 'Thing',
  namespace: 'io.driftline.v1',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'count', type: 'int' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['a', 'b'] } },
    { name: 'inner', type: { type: 'record', name: 'Inner', fields: [{ name: 'x', type: 'string' }] } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
  ],
};

function withFields(change: (fields: { name: string; type: unknown; default?: unknown }[]) => void): object {
  const copy = structuredClone(base) as typeof base & {
    fields: { name: string; type: unknown; default?: unknown }[];
  };
  change(copy.fields);
  return copy;
}

function problems(result: CompatResult): string[] {
  return result.compatible ? [] : result.problems.map((p) => `${p.path}: ${p.reason}`);
}

describe('checkBackward', () => {
  it('accepts an identical schema', () => {
    expect(checkBackward(base, base)).toEqual({ compatible: true });
  });

  it('accepts adding an optional field (["null", T] with default null)', () => {
    const next = withFields((f) => f.push({ name: 'note', type: ['null', 'string'], default: null }));
    expect(checkBackward(base, next)).toEqual({ compatible: true });
  });

  it('accepts removing a field, widening int to long, adding an enum symbol, promoting to a union', () => {
    const next = withFields((f) => {
      f.splice(4, 1);
      f[1] = { name: 'count', type: 'long' };
      f[2] = { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['a', 'b', 'c'] } };
      f[0] = { name: 'id', type: ['null', 'string'], default: null };
    });
    expect(checkBackward(base, next)).toEqual({ compatible: true });
  });

  it('rejects adding a field without a default, naming it', () => {
    const next = withFields((f) => f.push({ name: 'owner', type: 'string' }));
    expect(problems(checkBackward(base, next))).toEqual([
      'Thing.owner: field added without a default (old data has no value for it)',
    ]);
  });

  it('rejects a nested field added without a default, naming the nested path', () => {
    const next = withFields((f) => {
      f[3] = {
        name: 'inner',
        type: {
          type: 'record',
          name: 'Inner',
          fields: [
            { name: 'x', type: 'string' },
            { name: 'y', type: 'int' },
          ],
        },
      };
    });
    expect(problems(checkBackward(base, next))).toEqual([
      'Thing.inner.y: field added without a default (old data has no value for it)',
    ]);
  });

  it('rejects changing a type, naming the field and both types', () => {
    const next = withFields((f) => {
      f[1] = { name: 'count', type: 'string' };
    });
    expect(problems(checkBackward(base, next))).toEqual([
      'Thing.count: type changed: int cannot be read as string',
    ]);
  });

  it('rejects narrowing long to int and making a nullable field required', () => {
    const wide = withFields((f) => {
      f[1] = { name: 'count', type: 'long' };
      f[0] = { name: 'id', type: ['null', 'string'], default: null };
    });
    expect(problems(checkBackward(wide, base))).toEqual([
      'Thing.id: writer union branch null cannot be read as string',
      'Thing.count: type changed: long cannot be read as int',
    ]);
  });

  it('rejects removing an enum symbol when the enum has no default, and accepts it with one', () => {
    const narrow = withFields((f) => {
      f[2] = { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['a'] } };
    });
    expect(problems(checkBackward(base, narrow))).toEqual([
      'Thing.status: enum symbols removed without a default symbol: b',
    ]);
    const withDefault = withFields((f) => {
      f[2] = { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['a'], default: 'a' } };
    });
    expect(checkBackward(base, withDefault)).toEqual({ compatible: true });
  });

  it('rejects renaming the record without an alias and accepts it with one', () => {
    expect(problems(checkBackward(base, { ...base, name: 'Other' }))).toEqual([
      'Other: record renamed from io.driftline.v1.Thing to io.driftline.v1.Other without an alias',
    ]);
    expect(checkBackward(base, { ...base, name: 'Other', aliases: ['Thing'] })).toEqual({ compatible: true });
  });

  it('reports an unparsable schema instead of throwing', () => {
    expect(problems(checkBackward(base, '{"type": "record"'))[0]).toMatch(/new schema is not valid Avro/);
  });

  it('treats timestamp-millis as its underlying long', () => {
    const ts = withFields((f) =>
      f.push({ name: 'atMs', type: { type: 'long', logicalType: 'timestamp-millis' } }),
    );
    const plain = withFields((f) => f.push({ name: 'atMs', type: 'long' }));
    expect(checkBackward(plain, ts)).toEqual({ compatible: true });
    expect(checkBackward(ts, plain)).toEqual({ compatible: true });
  });

  it.each(topicIds)('every committed contract (%s) reads itself', (id) => {
    expect(checkBackward(readSchemaText(id), readSchemaText(id))).toEqual({ compatible: true });
  });
});
