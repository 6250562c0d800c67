import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeContinue, encodeContinue } from './continue-token.ts';

describe('continue token', () => {
  it('round-trips any revision and key', () => {
    fc.assert(
      fc.property(fc.nat(), fc.string(), (revision, after) => {
        expect(decodeContinue(encodeContinue({ revision, after }))).toEqual({ revision, after });
      }),
    );
  });

  it('rejects strings that are not tokens', () => {
    expect(decodeContinue('garbage')).toBeUndefined();
    expect(
      decodeContinue(Buffer.from('{"v":"x","rv":1,"start":"a\\u0000"}').toString('base64url')),
    ).toBeUndefined();
    expect(
      decodeContinue(Buffer.from('{"v":"meta.k8s.io/v1","rv":-1,"start":"a\\u0000"}').toString('base64url')),
    ).toBeUndefined();
    expect(
      decodeContinue(Buffer.from('{"v":"meta.k8s.io/v1","rv":1,"start":"a"}').toString('base64url')),
    ).toBeUndefined();
  });
});
