import { describe, expect, it } from 'vitest';
import { FRESH, providerFreshness } from './freshness.ts';
import { healthRecord } from './test-records.ts';

describe('providerFreshness', () => {
  it('treats a provider without health record as fresh', () => {
    expect(providerFreshness(null, 1_000_000, 60_000)).toBe(FRESH);
  });

  it('is fresh while the last sign of life is recent, and says when that ends', () => {
    const health = healthRecord({
      lastEventAtMs: 1_000,
      lastBookmarkAtMs: 5_000,
      lastResyncAtMs: 500,
      reportedAtMs: 6_000,
    });
    expect(providerFreshness(health, 6_000, 60_000)).toEqual({
      fresh: true,
      staleSinceMs: null,
      changesAtMs: 65_000,
    });
  });

  it('is stale once the last sign of life is too old, since the moment it became too old', () => {
    const health = healthRecord({
      lastEventAtMs: 1_000,
      lastBookmarkAtMs: null,
      lastResyncAtMs: null,
      reportedAtMs: 1_000,
    });
    expect(providerFreshness(health, 61_000, 60_000)).toEqual({
      fresh: false,
      staleSinceMs: 61_000,
      changesAtMs: null,
    });
  });

  it.each([
    ['disconnected', { connected: false }],
    ['circuit open', { circuit: 'open' as const }],
    ['never listed', { lastEventAtMs: null, lastBookmarkAtMs: null, lastResyncAtMs: null }],
  ])('is stale when %s, since the report', (_, overrides) => {
    const health = healthRecord({ lastEventAtMs: 9_000, reportedAtMs: 9_500, ...overrides });
    expect(providerFreshness(health, 10_000, 60_000)).toEqual({
      fresh: false,
      staleSinceMs: 9_500,
      changesAtMs: null,
    });
  });

  it('is fresh with a half-open circuit that still delivers events', () => {
    expect(
      providerFreshness(healthRecord({ circuit: 'half-open', lastEventAtMs: 9_000 }), 10_000, 60_000).fresh,
    ).toBe(true);
  });
});
