/** KeyConflict names the document that already holds a key another document claimed. */
export interface KeyConflict {
  readonly heldBy: string;
}

/**
 * KeyIndex is the table from a source document's `_id` to the Kafka key its record was published
 * under (database key or provider id), and back. A delete event carries only `_id`, and an update
 * may move a document to another key: both need the key published before, so the index is what
 * turns them into tombstones. It is rebuilt on start from the `driftline-source-id` header of the
 * compacted output topic (what downstream holds), kept in step by the translator, and rebuilt
 * from scratch by every snapshot. One index per collection; its size is the number of live keys.
 */
export class KeyIndex {
  readonly #keyById = new Map<string, string>();
  readonly #idByKey = new Map<string, string>();

  /** keyOf returns the key published for a document, if any. */
  keyOf(documentId: string): string | undefined {
    return this.#keyById.get(documentId);
  }

  /** ownerOf returns the document that holds a key, if any. */
  ownerOf(key: string): string | undefined {
    return this.#idByKey.get(key);
  }

  /** set records that `documentId` is published under `key`, replacing both former mappings. */
  set(documentId: string, key: string): void {
    const previousKey = this.#keyById.get(documentId);
    if (previousKey !== undefined && this.#idByKey.get(previousKey) === documentId)
      this.#idByKey.delete(previousKey);
    const previousOwner = this.#idByKey.get(key);
    if (previousOwner !== undefined && previousOwner !== documentId) this.#keyById.delete(previousOwner);
    this.#keyById.set(documentId, key);
    this.#idByKey.set(key, documentId);
  }

  /**
   * claim publishes `documentId` under `key` and returns the key it was published under before
   * (undefined when none) — unless another document holds `key`: then nothing changes and it
   * returns that holder as `{ heldBy }`. One lookup per table instead of ownerOf + keyOf + set
   * (the key index showed in the snapshot's CPU profile).
   */
  claim(documentId: string, key: string): string | undefined | KeyConflict {
    const owner = this.#idByKey.get(key);
    if (owner !== undefined && owner !== documentId) return { heldBy: owner };
    const previousKey = this.#keyById.get(documentId);
    if (previousKey === key && owner === documentId) return previousKey;
    if (previousKey !== undefined && this.#idByKey.get(previousKey) === documentId)
      this.#idByKey.delete(previousKey);
    this.#keyById.set(documentId, key);
    this.#idByKey.set(key, documentId);
    return previousKey;
  }

  /** removeDocument forgets a document and its key. */
  removeDocument(documentId: string): void {
    const key = this.#keyById.get(documentId);
    this.#keyById.delete(documentId);
    if (key !== undefined && this.#idByKey.get(key) === documentId) this.#idByKey.delete(key);
  }

  /** removeKey forgets a key and the document that held it (a tombstone read from the topic). */
  removeKey(key: string): void {
    const documentId = this.#idByKey.get(key);
    this.#idByKey.delete(key);
    if (documentId !== undefined && this.#keyById.get(documentId) === key) this.#keyById.delete(documentId);
  }

  /** entries lists (documentId, key) pairs in insertion order. */
  entries(): IterableIterator<[string, string]> {
    return this.#keyById.entries();
  }

  /** size is the number of published keys. */
  get size(): number {
    return this.#keyById.size;
  }
}
