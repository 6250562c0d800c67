import type { ProviderHealth } from '@driftline/schemas';

/**
 * Freshness says whether a provider's observed records can be trusted right now.
 * `staleSinceMs` is when the current stale period began (derived from the health record alone, so
 * it is the same on every instance and after a restart); it is `null` while fresh.
 * `changesAtMs` is when freshness flips by the passage of time alone (no new health record), or
 * `null` when only a new health record can flip it.
 */
export interface Freshness {
  readonly fresh: boolean;
  readonly staleSinceMs: number | null;
  readonly changesAtMs: number | null;
}

/** FRESH is the freshness of a provider without any health record: trusted, until a watcher says otherwise. */
export const FRESH: Freshness = Object.freeze({ fresh: true, staleSinceMs: null, changesAtMs: null });

/**
 * providerFreshness derives a provider's freshness from its latest health record at time `nowMs`.
 *
 * - No record (the provider-health topic has none, or a tombstone): fresh. A watcher that never
 *   published health cannot make keys unknown; one that did is judged by its record.
 * - Disconnected watch or open circuit: stale since the record was reported.
 * - Otherwise the watch is alive while its last sign of life — the latest of last event, last
 *   bookmark and last resync (a quiet cluster still sends bookmarks) — is at most `staleAfterMs`
 *   old; after that it is stale. A watcher that died stops reporting, so this also covers it.
 *   Pick `staleAfterMs` above the API server's bookmark interval (about a minute).
 * - A record without any sign of life yet (never listed): stale since it was reported.
 */
export function providerFreshness(
  health: ProviderHealth | null,
  nowMs: number,
  staleAfterMs: number,
): Freshness {
  if (health === null) return FRESH;
  if (!health.connected || health.circuit === 'open') {
    return { fresh: false, staleSinceMs: health.reportedAtMs, changesAtMs: null };
  }
  const lastSignOfLife = maxOf(health.lastEventAtMs, health.lastBookmarkAtMs, health.lastResyncAtMs);
  if (lastSignOfLife === null) return { fresh: false, staleSinceMs: health.reportedAtMs, changesAtMs: null };
  const staleAt = lastSignOfLife + staleAfterMs;
  if (nowMs >= staleAt) return { fresh: false, staleSinceMs: staleAt, changesAtMs: null };
  return { fresh: true, staleSinceMs: null, changesAtMs: staleAt };
}

function maxOf(...values: (number | null)[]): number | null {
  let max: number | null = null;
  for (const v of values) if (v !== null && (max === null || v > max)) max = v;
  return max;
}
