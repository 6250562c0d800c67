import { describe, expect, it } from 'vitest';
import { RegistryError } from './registry-error.ts';
import { canonicalSchema, RegistryStore } from './registry-store.ts';

const schema = (fields: object[], name = 'Desired'): string =>
  JSON.stringify({ type: 'record', name, fields });
const v1 = schema([{ name: 'key', type: 'string' }]);
const v2 = schema([
  { name: 'key', type: 'string' },
  { name: 'replicas', type: 'int', default: 1 },
]);
const breaking = schema([
  { name: 'key', type: 'string' },
  { name: 'replicas', type: 'int' },
]);

function codeOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof RegistryError) return error.body().error_code;
    throw error;
  }
  return undefined;
}

describe('RegistryStore', () => {
  it('gives identical schemas the same global id, across subjects and whitespace', () => {
    const store = new RegistryStore();
    const { id } = store.register('a-value', v1);
    expect(store.register('a-value', `  ${JSON.stringify(JSON.parse(v1), null, 2)}`)).toEqual({ id });
    expect(store.register('b-value', v1)).toEqual({ id });
    expect(store.versions('a-value')).toEqual([1]);
    expect(store.register('a-value', v2).id).toBe(id + 1);
    expect(store.versions('a-value')).toEqual([1, 2]);
    expect(store.subjectVersionsOfId(id)).toEqual([
      { subject: 'a-value', version: 1 },
      { subject: 'b-value', version: 1 },
    ]);
  });

  it('looks up schemas and versions, with Confluent error codes when absent', () => {
    const store = new RegistryStore();
    const { id } = store.register('s', v1);
    expect(store.lookup('s', v1)).toEqual({ subject: 's', id, version: 1, schema: canonicalSchema(v1) });
    expect(store.version('s', 'latest')).toEqual(store.version('s', '1'));
    expect(store.version('s', '-1').id).toBe(id);
    expect(store.schemaById(id)).toBe(canonicalSchema(v1));
    expect(codeOf(() => store.lookup('s', v2))).toBe(40403);
    expect(codeOf(() => store.lookup('nope', v1))).toBe(40401);
    expect(codeOf(() => store.version('s', '2'))).toBe(40402);
    expect(codeOf(() => store.version('s', 'first'))).toBe(42202);
    expect(codeOf(() => store.schemaById(99))).toBe(40403);
    expect(codeOf(() => store.register('s', '{"type":"record"}'))).toBe(42201);
    expect(codeOf(() => store.register('s', v1, 'PROTOBUF'))).toBe(42201);
  });

  it('refuses an incompatible schema with 409 under BACKWARD and accepts it under NONE', () => {
    const store = new RegistryStore();
    store.register('s', v1);
    expect(codeOf(() => store.register('s', breaking))).toBe(409);
    expect(store.isCompatibleWith('s', 'latest', breaking)).toBe(false);
    expect(store.isCompatibleWith('s', 'latest', v2)).toBe(true);
    store.setSubjectLevel('s', 'NONE');
    expect(store.register('s', breaking).id).toBeGreaterThan(0);
  });

  it('keeps subject and global levels apart (40408 until a subject level is set)', () => {
    const store = new RegistryStore();
    expect(store.globalLevel()).toBe('BACKWARD');
    expect(codeOf(() => store.subjectLevel('s', false))).toBe(40408);
    expect(store.subjectLevel('s', true)).toBe('BACKWARD');
    store.setSubjectLevel('s', 'FULL');
    expect(store.effectiveLevel('s')).toBe('FULL');
    expect(store.deleteSubjectLevel('s')).toBe('FULL');
    store.setGlobalLevel('FORWARD');
    expect(store.effectiveLevel('s')).toBe('FORWARD');
  });

  it('soft-deletes, then permanently deletes a subject; ids stay resolvable after a soft delete', () => {
    const store = new RegistryStore();
    const { id } = store.register('s', v1);
    expect(codeOf(() => store.deleteSubject('s', true))).toBe(40405);
    expect(store.deleteSubject('s', false)).toEqual([1]);
    expect(store.subjects()).toEqual([]);
    expect(store.schemaById(id)).toBe(canonicalSchema(v1));
    expect(codeOf(() => store.versions('s'))).toBe(40401);
    // Registering again continues the version numbers.
    store.register('s', v2);
    expect(store.versions('s')).toEqual([2]);
    store.deleteSubject('s', false);
    expect(store.deleteSubject('s', true)).toEqual([1, 2]);
    expect(codeOf(() => store.deleteSubject('s', false))).toBe(40401);
  });

  it('survives a snapshot round trip with the same ids and next id', () => {
    const store = new RegistryStore();
    store.register('a', v1);
    store.register('a', v2);
    store.setSubjectLevel('a', 'FULL');
    const restored = new RegistryStore(JSON.parse(JSON.stringify(store.snapshot())));
    expect(restored.version('a', 'latest')).toEqual(store.version('a', 'latest'));
    expect(restored.effectiveLevel('a')).toBe('FULL');
    expect(restored.register('b', schema([], 'Other')).id).toBe(3);
  });
});
