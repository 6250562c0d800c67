import { describe, expect, it } from 'vitest';
import { correlationIdFor } from './mapping.ts';

describe('correlationIdFor', () => {
  // Pinned values: a change replayed after a crash, or by another release, must get the same id,
  // so downstream logs keep lining up.
  it('derives the same UUID-shaped id from the same collection, document and position', () => {
    expect(
      correlationIdFor('databases', '{"$oid":"65a1b2c3d4e5f60718293a4b"}', 'snapshot:initial-1700000000.1'),
    ).toBe('329567ec-9291-5611-5476-1a60e05d9129');
    expect(correlationIdFor('providers', '"prov-1"', '1700000000.7')).toBe(
      'fac80ef7-de7c-503a-8931-3966e8e00165',
    );
  });
});
