import { createHash } from 'node:crypto';
import type { DriftEvent } from '@driftline/schemas';

// Separator that cannot occur in keys, statuses or hex fingerprints: no ambiguity by concatenation.
const FS = '\u001f';

/** DriftFact is the part of a drift event the drift set is made of. */
export type DriftFact = Pick<DriftEvent, 'key' | 'status' | 'keyStatus' | 'fingerprint'>;

/**
 * driftKeyHash is the sha256 (hex) of one key's open drift: key, key status and drift fingerprint
 * (which covers every difference, normalised). It deliberately ignores event ids, sequence
 * numbers, times and provenance: two runs that reach the same drift through different
 * interleavings of the inputs (or a replay) give the same hash.
 */
export function driftKeyHash(fact: DriftFact): string {
  return createHash('sha256')
    .update(['drift-set', fact.key, fact.keyStatus, fact.fingerprint].join(FS), 'utf8')
    .digest('hex');
}

/**
 * DriftSetBuilder folds drift events, in the order a partition delivers them, into the drift set:
 * per key the hash of its latest event when that event leaves the key drifting (opened or
 * changed); a `resolved` event removes the key. Memory is one entry per drifting key.
 */
export class DriftSetBuilder {
  readonly #hashes = new Map<string, string>();

  /** add applies the next drift event of its key (later events win). */
  add(fact: DriftFact): void {
    if (fact.status === 'resolved') this.#hashes.delete(fact.key);
    else this.#hashes.set(fact.key, driftKeyHash(fact));
  }

  /** hashes returns the drift set: key → hash of its open drift. */
  hashes(): ReadonlyMap<string, string> {
    return this.#hashes;
  }
}

/** driftSetOf builds the drift set of `events` (in delivery order); see DriftSetBuilder. */
export function driftSetOf(events: Iterable<DriftFact>): ReadonlyMap<string, string> {
  const builder = new DriftSetBuilder();
  for (const event of events) builder.add(event);
  return builder.hashes();
}

/**
 * driftSetDigest is one sha256 (hex) over a whole drift set, independent of insertion order:
 * the sorted `key hash` lines. Equal digests mean equal drift sets.
 */
export function driftSetDigest(set: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const key of [...set.keys()].sort()) hash.update(`${key}${FS}${set.get(key) ?? ''}\n`, 'utf8');
  return hash.digest('hex');
}

/** KeyComparison says how one key's drift differs between two drift sets (null = not drifting). */
export interface KeyComparison {
  readonly key: string;
  readonly expected: string | null;
  readonly actual: string | null;
}

/** DriftSetComparison is the result of `compareDriftSets`. */
export interface DriftSetComparison {
  readonly equal: boolean;
  /** Keys drifting in either set. */
  readonly keys: number;
  /** Keys with the same drift in both sets. */
  readonly same: number;
  /** Keys whose drift differs, sorted by key. */
  readonly different: readonly KeyComparison[];
  /** Keys with the same drift in both sets, sorted. */
  readonly equalKeys: readonly string[];
}

/**
 * compareDriftSets compares two drift sets key by key. Keys drifting in neither set are equal by
 * definition (both in sync) and not listed.
 */
export function compareDriftSets(
  expected: ReadonlyMap<string, string>,
  actual: ReadonlyMap<string, string>,
): DriftSetComparison {
  const keys = new Set([...expected.keys(), ...actual.keys()]);
  const different: KeyComparison[] = [];
  const equalKeys: string[] = [];
  for (const key of keys) {
    const e = expected.get(key) ?? null;
    const a = actual.get(key) ?? null;
    if (e === a) equalKeys.push(key);
    else different.push({ key, expected: e, actual: a });
  }
  different.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  equalKeys.sort();
  return { equal: different.length === 0, keys: keys.size, same: equalKeys.length, different, equalKeys };
}
