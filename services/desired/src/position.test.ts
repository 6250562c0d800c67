import { describe, expect, it } from 'vitest';
import {
  clusterTimeOfResumeToken,
  positionAgeSeconds,
  positionLostReason,
  PositionLostError,
  type StoredPosition,
} from './position.ts';

describe('clusterTimeOfResumeToken', () => {
  it('decodes a MongoDB KeyString token', () => {
    // 0x82, t = 0x65a1b2c3, i = 0x00000007, then the rest of the KeyString.
    expect(clusterTimeOfResumeToken({ _data: '8265A1B2C3000000072B022C0100296E5A1004' })).toEqual({
      t: 0x65a1b2c3,
      i: 7,
    });
  });

  it('decodes a mongo-java-server token', () => {
    expect(clusterTimeOfResumeToken({ _data: '6b06cf2e00000002' })).toEqual({ t: 0x6b06cf2e, i: 2 });
  });

  it('returns null for unknown shapes', () => {
    expect(clusterTimeOfResumeToken(null)).toBeNull();
    expect(clusterTimeOfResumeToken({ _data: 'xyz' })).toBeNull();
    expect(clusterTimeOfResumeToken({ other: 1 })).toBeNull();
  });
});

describe('positionAgeSeconds', () => {
  const base: StoredPosition = {
    collection: 'databases',
    start: { kind: 'cluster-time', clusterTime: { t: 100, i: 0 } },
    clusterTime: { t: 100, i: 0 },
    snapshotId: 's',
    savedAtMs: 500_000,
  };
  it('measures from the cluster time', () => {
    expect(positionAgeSeconds(base, 160_000)).toBe(60);
  });
  it('falls back to the save time and never goes negative', () => {
    expect(positionAgeSeconds({ ...base, clusterTime: null }, 510_000)).toBe(10);
    expect(positionAgeSeconds(base, 0)).toBe(0);
  });
});

describe('positionLostReason', () => {
  it.each([
    [286, 'history-lost'],
    [280, 'history-lost'],
    [136, 'history-lost'],
    [260, 'invalid-token'],
  ])('maps server code %i', (code, reason) => {
    expect(positionLostReason(Object.assign(new Error('x'), { code }))).toBe(reason);
  });
  it('ignores transient and auth errors', () => {
    expect(positionLostReason(Object.assign(new Error('x'), { code: 18 }))).toBeNull();
    expect(positionLostReason(Object.assign(new Error('x'), { code: 91 }))).toBeNull();
    expect(positionLostReason(new Error('network'))).toBeNull();
    expect(positionLostReason('x')).toBeNull();
  });
  it('reads PositionLostError', () => {
    expect(positionLostReason(new PositionLostError('invalidate', 'dropped'))).toBe('invalidate');
  });
});
