import { describe, expect, it } from 'vitest';
import { HASH_SEED, hashString, intern, internBy, internResourceSpec, internTable } from './intern.ts';

const freshCopy = (text: string) => Buffer.from(text, 'latin1').toString('latin1');

describe('intern', () => {
  it('returns an equal string, the same instance for equal texts', () => {
    const a = intern(freshCopy('7.0.12'));
    expect(intern(freshCopy('7.0.12'))).toBe(a);
    expect(a).toBe('7.0.12');
    expect(intern(null)).toBeNull();
  });
});

describe('internResourceSpec', () => {
  it('returns one shared, frozen, equal spec for equal values, nulls included', () => {
    const spec = {
      cpuRequest: freshCopy('500m'),
      cpuLimit: null,
      memoryRequest: freshCopy('1Gi'),
      memoryLimit: freshCopy('2Gi'),
    };
    const shared = internResourceSpec(spec);
    expect(shared).toEqual(spec);
    expect(Object.isFrozen(shared)).toBe(true);
    expect(internResourceSpec({ ...spec, cpuRequest: freshCopy('500m') })).toBe(shared);
    expect(internResourceSpec({ ...spec, cpuLimit: '1' })).not.toBe(shared);
    expect(internResourceSpec({ ...spec, cpuLimit: '1' })).toEqual({ ...spec, cpuLimit: '1' });
  });
});

describe('internBy', () => {
  const same = (a: { text: string }, b: { text: string }) => a.text === b.text;
  const make = (b: { text: string }) => ({ text: b.text });

  it('shares one frozen object per value, and tells apart values whose hashes collide', () => {
    const table = internTable<{ text: string }>();
    const collide = 7; // every value in one bucket: only `same` tells them apart
    const a = internBy(table, collide, { text: freshCopy('a') }, same, make);
    const b = internBy(table, collide, { text: 'b' }, same, make);
    expect(a).toEqual({ text: 'a' });
    expect(b).toEqual({ text: 'b' });
    expect(Object.isFrozen(a)).toBe(true);
    expect(internBy(table, collide, { text: freshCopy('a') }, same, make)).toBe(a);
    expect(internBy(table, collide, { text: 'b' }, same, make)).toBe(b);
    expect(table.size).toBe(2);
  });
});

describe('hashString', () => {
  it('hashes equal texts alike and keeps field boundaries and null apart', () => {
    const h = (...values: (string | null)[]) => values.reduce(hashString, HASH_SEED);
    expect(h(freshCopy('10Gi'), '1')).toBe(h('10Gi', freshCopy('1')));
    expect(h('ab', 'c')).not.toBe(h('a', 'bc'));
    expect(h(null)).not.toBe(h(''));
  });
});
