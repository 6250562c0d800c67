import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch, applyPatch, patchTypeOf } from './patch.ts';

describe('applyMergePatch (RFC 7386)', () => {
  it('merges objects, deletes on null, replaces arrays and scalars', () => {
    const target = { spec: { replicas: 3, version: '6', halted: false }, list: [1, 2] };
    const patched = applyMergePatch(target, { spec: { replicas: 5, halted: null }, list: [3] });
    expect(patched).toEqual({ spec: { replicas: 5, version: '6' }, list: [3] });
    expect(target.spec.replicas).toBe(3);
  });
});

describe('applyJsonPatch (RFC 6902)', () => {
  const doc = { spec: { replicas: 3, containers: [{ name: 'a' }] } };

  it('applies add, replace, remove, copy, move and test', () => {
    const result = applyJsonPatch(doc, [
      { op: 'test', path: '/spec/replicas', value: 3 },
      { op: 'replace', path: '/spec/replicas', value: 5 },
      { op: 'add', path: '/spec/containers/-', value: { name: 'b' } },
      { op: 'copy', from: '/spec/replicas', path: '/spec/copied' },
      { op: 'move', from: '/spec/copied', path: '/spec/moved' },
      { op: 'remove', path: '/spec/containers/0' },
      { op: 'add', path: '/metadata~1x', value: 1 },
    ]);
    expect(result).toEqual({
      ok: true,
      value: { spec: { replicas: 5, containers: [{ name: 'b' }], moved: 5 }, 'metadata/x': 1 },
    });
    expect(doc.spec.replicas).toBe(3);
  });

  it('fails atomically on a failed test or a missing path', () => {
    expect(applyJsonPatch(doc, [{ op: 'test', path: '/spec/replicas', value: 4 }]).ok).toBe(false);
    expect(applyJsonPatch(doc, [{ op: 'remove', path: '/spec/nope' }]).ok).toBe(false);
    expect(applyJsonPatch(doc, [{ op: 'replace', path: '/nope/deeper', value: 1 }]).ok).toBe(false);
    expect(applyJsonPatch(doc, { op: 'add' }).ok).toBe(false);
  });
});

describe('patchTypeOf', () => {
  it('maps the patch media types and refuses others', () => {
    expect(patchTypeOf('application/merge-patch+json; charset=utf-8')).toBe('merge');
    expect(patchTypeOf('application/json-patch+json')).toBe('json');
    expect(patchTypeOf('application/strategic-merge-patch+json')).toBe('strategic');
    expect(patchTypeOf('application/apply-patch+yaml')).toBeUndefined();
    expect(applyPatch({ a: 1 }, { a: 2 }, 'strategic')).toEqual({ ok: true, value: { a: 2 } });
  });
});
