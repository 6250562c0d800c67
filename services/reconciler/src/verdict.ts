import type { FieldDifference } from '@driftline/schemas';
import type { DesiredSpec, ObservedSpec } from './record-view.ts';
import { detectDrift } from './rules.ts';

/**
 * VERDICT_LIMIT bounds the verdict cache (pairs of specs). A fleet has few distinct specs, so few
 * pairs; should it have more, the cache is emptied and refilled — forgetting a verdict is always
 * correct, it is a pure function of the two specs.
 */
export const VERDICT_LIMIT = 65_536;

const verdicts = new Map<DesiredSpec, Map<ObservedSpec, readonly FieldDifference[]>>();
let size = 0;

/**
 * verdictOf is `detectDrift(desired, observed)` for interned specs, computed once per pair and
 * shared (frozen) by every key with that pair. Keys of a fleet repeat a handful of specs, so a
 * spec change mostly lands on a pair some key already has: no rules run (no quantity is looked
 * up), and drifting keys share one differences array instead of holding one each.
 */
export function verdictOf(desired: DesiredSpec, observed: ObservedSpec): readonly FieldDifference[] {
  let byObserved = verdicts.get(desired);
  const known = byObserved?.get(observed);
  if (known !== undefined) return known;
  const verdict = Object.freeze(detectDrift(desired, observed));
  if (size >= VERDICT_LIMIT) {
    verdicts.clear();
    size = 0;
    byObserved = undefined;
  }
  if (byObserved === undefined) {
    byObserved = new Map();
    verdicts.set(desired, byObserved);
  }
  byObserved.set(observed, verdict);
  size++;
  return verdict;
}
