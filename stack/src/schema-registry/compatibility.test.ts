import { describe, expect, it } from 'vitest';
import { isCompatible, parseAvro, parseCompatibilityLevel } from './compatibility.ts';
import { RegistryError } from './registry-error.ts';

const record = (fields: object[]): string =>
  JSON.stringify({ type: 'record', name: 'Desired', namespace: 'driftline', fields });
const v1 = parseAvro(record([{ name: 'key', type: 'string' }]));
const v2AddedWithDefault = parseAvro(
  record([
    { name: 'key', type: 'string' },
    { name: 'replicas', type: 'int', default: 1 },
  ]),
);
const v2AddedWithoutDefault = parseAvro(
  record([
    { name: 'key', type: 'string' },
    { name: 'replicas', type: 'int' },
  ]),
);
const v2Removed = parseAvro(record([]));

describe('isCompatible', () => {
  it('BACKWARD: a new field with a default is fine, one without a default is not', () => {
    expect(isCompatible('BACKWARD', v2AddedWithDefault, [v1])).toBe(true);
    expect(isCompatible('BACKWARD', v2AddedWithoutDefault, [v1])).toBe(false);
  });

  it('FORWARD: removing a field without a default breaks old readers', () => {
    expect(isCompatible('FORWARD', v2Removed, [v1])).toBe(false);
    expect(isCompatible('BACKWARD', v2Removed, [v1])).toBe(true);
  });

  it('FULL needs both directions', () => {
    expect(isCompatible('FULL', v2AddedWithDefault, [v1])).toBe(true);
    expect(isCompatible('FULL', v2Removed, [v1])).toBe(false);
  });

  it('non-transitive levels only look at the latest version, transitive ones at all', () => {
    // Readable from the latest version (no fields: the default applies) but not from v1 (string → long).
    const typeChanged = parseAvro(record([{ name: 'key', type: 'long', default: 0 }]));
    const history = [v1, v2Removed];
    expect(isCompatible('BACKWARD', typeChanged, history)).toBe(true);
    expect(isCompatible('BACKWARD_TRANSITIVE', typeChanged, history)).toBe(false);
  });

  it('NONE and an empty history accept anything', () => {
    expect(isCompatible('NONE', v2AddedWithoutDefault, [v1])).toBe(true);
    expect(isCompatible('BACKWARD', v2AddedWithoutDefault, [])).toBe(true);
  });
});

describe('parseCompatibilityLevel / parseAvro', () => {
  it('accepts levels case-insensitively and rejects others with 42203', () => {
    expect(parseCompatibilityLevel('full_transitive')).toBe('FULL_TRANSITIVE');
    expect(() => parseCompatibilityLevel('SIDEWAYS')).toThrow(RegistryError);
    try {
      parseCompatibilityLevel(3);
    } catch (error) {
      expect((error as RegistryError).body().error_code).toBe(42203);
    }
  });

  it('rejects invalid Avro with 42201', () => {
    expect(() => parseAvro('{"type":"record","name":"x"}')).toThrow(/Invalid schema/);
    expect(() => parseAvro('{"type":"nope"}')).toThrow(RegistryError);
  });
});
