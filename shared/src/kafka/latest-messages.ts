import { isAscii } from 'node:buffer';
import type { KafkaMessage } from 'kafkajs';
import { keyOf, toConsumedRecord } from './consumed-batch.ts';
import type { ConsumedRecord } from './ports.ts';

interface Slot {
  /** The key's bytes (a view into its latest message). */
  key: Buffer;
  message: KafkaMessage;
  partition: number;
  /** Arrival number of `message`: sorting by it gives LatestPerKey's order. */
  arrival: number;
  /** The next slot whose key has the same hash (a collision), if any. */
  readonly next: Slot | undefined;
}

/**
 * keyHash is the 32-bit FNV-1a hash of a key's bytes, cut to 30 bits so that it is a small
 * integer (a Map key V8 neither boxes nor dereferences to compare).
 */
export function keyHash(key: Buffer): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ (key[i] ?? 0), 0x01000193);
  return hash & 0x3fffffff;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * LatestMessages is LatestPerKey (same table, same order: the latest record per topic and key,
 * tombstones kept, keyless dropped, oldest latest first) folded over kafkajs messages as they are
 * fetched. A compacted topic's read is mostly records a later one supersedes, so nothing is
 * converted until the end: a key is found by a hash of its bytes (colliding keys are chained
 * and told apart byte by byte) and its slot is overwritten in place; only the surviving messages
 * become ConsumedRecords, their keys decoded once. In a replay's profile, decoding every key to a
 * string and the `topic\0key` strings of LatestPerKey were most of reading.
 */
export class LatestMessages {
  readonly #topics = new Map<string, Map<number, Slot>>();
  #arrivals = 0;
  #size = 0;

  /** add folds one fetched batch of `topic`/`partition`, in offset order. */
  add(topic: string, partition: number, messages: readonly KafkaMessage[]): void {
    let table = this.#topics.get(topic);
    if (table === undefined) {
      table = new Map();
      this.#topics.set(topic, table);
    }
    for (const message of messages) {
      const key = message.key;
      if (key === null || key === undefined) continue;
      const hash = keyHash(key);
      const first = table.get(hash);
      let slot = first;
      while (slot !== undefined && !sameBytes(slot.key, key)) slot = slot.next;
      const arrival = this.#arrivals++;
      if (slot === undefined) {
        table.set(hash, { key, message, partition, arrival, next: first });
        this.#size += 1;
      } else {
        slot.key = key;
        slot.message = message;
        slot.partition = partition;
        slot.arrival = arrival;
      }
    }
  }

  /** size is the number of keys (tombstoned ones included). */
  get size(): number {
    return this.#size;
  }

  /** records lists the latest record per topic and key, the oldest latest record first. */
  records(): ConsumedRecord[] {
    const survivors: { topic: string; slot: Slot }[] = [];
    for (const [topic, table] of this.#topics) {
      for (const first of table.values())
        for (let slot: Slot | undefined = first; slot !== undefined; slot = slot.next)
          survivors.push({ topic, slot });
    }
    survivors.sort((a, b) => a.slot.arrival - b.slot.arrival);
    // An ASCII key reads the same as latin1, which skips UTF-8 decoding.
    return survivors.map(({ topic, slot }) =>
      toConsumedRecord(
        topic,
        slot.partition,
        slot.message,
        isAscii(slot.key) ? slot.key.toString('latin1') : keyOf(slot.message),
      ),
    );
  }
}
