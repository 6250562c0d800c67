/**
 * Versioned is the least a record needs for the deltas step: its database key and the
 * resourceVersion of the object it was converted from.
 */
export interface Versioned {
  readonly key: string;
  readonly resourceVersion: string;
}

/**
 * Delta is one output of the deltas step: an `upsert` to publish (a record for the key), a
 * `delete` to publish as a tombstone, or a `resync` marker closing a relist (the counts say what
 * the relist found; consumers learn that any gap before it is closed).
 */
export type Delta<T extends Versioned> =
  | { readonly type: 'upsert'; readonly key: string; readonly record: T }
  | { readonly type: 'delete'; readonly key: string; readonly resourceVersion: string | null }
  | {
      readonly type: 'resync';
      readonly resourceVersion: string;
      readonly deleted: number;
      readonly updated: number;
      readonly unchanged: number;
    };

/** DeltaEventType is the kind of a watch event the deltas step applies. */
export type DeltaEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface Known {
  readonly resourceVersion: string;
  readonly fingerprint: string;
}

/**
 * Deltas is the last-known state of one reflector's objects (key → resourceVersion and content
 * fingerprint), client-go's `DeltaFIFO` reduced to what a compacted topic needs:
 * - `apply(type, record)` returns the delta for one watch event, or nothing when the store
 *   already holds exactly that (a watch reopened from an older resourceVersion replays events:
 *   they are not published twice; a DELETED for an unknown key publishes nothing);
 * - `replace(records, rv)` takes the complete result of a LIST and returns a `delete` for every
 *   known key that is not in it (deleted while we were not watching), an `upsert` for every
 *   record that is new or whose resourceVersion or fingerprint differs, and a final `resync`;
 * - `seed(records)` loads what is already published (e.g. read back from `observed.v1`) without
 *   emitting anything, so that a restart only publishes differences.
 * `fingerprint` defaults to the resourceVersion; give one over content to also catch a changed
 * conversion of an unchanged object. Deltas are returned in key order within a `replace`.
 */
export class Deltas<T extends Versioned> {
  readonly #known = new Map<string, Known>();
  readonly #fingerprint: (record: T) => string;

  constructor(fingerprint: (record: T) => string = (record) => record.resourceVersion) {
    this.#fingerprint = fingerprint;
  }

  /** size is how many keys the store knows. */
  get size(): number {
    return this.#known.size;
  }

  /** has tells whether the store knows `key`. */
  has(key: string): boolean {
    return this.#known.has(key);
  }

  /** seed records what is already published, without producing deltas. */
  seed(records: Iterable<T>): void {
    for (const record of records) this.#remember(record);
  }

  apply(type: DeltaEventType, record: T): Delta<T>[] {
    if (type === 'DELETED') {
      if (!this.#known.delete(record.key)) return [];
      return [{ type: 'delete', key: record.key, resourceVersion: record.resourceVersion }];
    }
    if (!this.#changed(record)) return [];
    this.#remember(record);
    return [{ type: 'upsert', key: record.key, record }];
  }

  replace(records: readonly T[], resourceVersion: string): Delta<T>[] {
    const listed = new Map<string, T>();
    for (const record of records) listed.set(record.key, record);
    const out: Delta<T>[] = [];
    let deleted = 0;
    let updated = 0;
    let unchanged = 0;
    for (const key of [...this.#known.keys()].sort()) {
      if (listed.has(key)) continue;
      this.#known.delete(key);
      deleted += 1;
      out.push({ type: 'delete', key, resourceVersion: null });
    }
    for (const key of [...listed.keys()].sort()) {
      const record = listed.get(key) as T;
      if (!this.#changed(record)) {
        unchanged += 1;
        continue;
      }
      this.#remember(record);
      updated += 1;
      out.push({ type: 'upsert', key, record });
    }
    out.push({ type: 'resync', resourceVersion, deleted, updated, unchanged });
    return out;
  }

  #changed(record: T): boolean {
    const known = this.#known.get(record.key);
    return (
      known === undefined ||
      known.resourceVersion !== record.resourceVersion ||
      known.fingerprint !== this.#fingerprint(record)
    );
  }

  #remember(record: T): void {
    this.#known.set(record.key, {
      resourceVersion: record.resourceVersion,
      fingerprint: this.#fingerprint(record),
    });
  }
}
