import { describe, expect, it } from 'vitest';
import { intern, internResourceSpec } from './intern.ts';

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
