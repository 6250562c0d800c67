import { isAscii } from 'node:buffer';
import type { KafkaMessage } from 'kafkajs';
import { keyOf, toConsumedRecord } from './consumed-batch.ts';
import type { ConsumedRecord } from './ports.ts';

interface Slot {
  /** The key's bytes as a latin1 string (the table's key). */
  readonly id: string;
  message: KafkaMessage;
  partition: number;
  /** Arrival number of `message`: sorting by it gives LatestPerKey's order. */
  arrival: number;
}

/**
 * LatestMessages is LatestPerKey (same table, same order: the latest record per topic and key,
 * tombstones kept, keyless dropped, oldest latest first) folded over kafkajs messages as they are
 * fetched. A compacted topic's read is mostly records a later one supersedes, so nothing is
 * converted until the end: a key is looked up by its bytes as a latin1 string (one character per
 * byte, so distinct keys stay distinct, without UTF-8 decoding) and its slot is overwritten in
 * place; only the surviving messages become ConsumedRecords. In a replay's profile the per-record
 * conversion and the `topic\0key` strings of LatestPerKey were a quarter of reading.
 */
export class LatestMessages {
  readonly #topics = new Map<string, Map<string, Slot>>();
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
      const id = key.toString('latin1');
      const arrival = this.#arrivals++;
      const slot = table.get(id);
      if (slot === undefined) {
        table.set(id, { id, message, partition, arrival });
        this.#size += 1;
      } else {
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
    for (const [topic, table] of this.#topics)
      for (const slot of table.values()) survivors.push({ topic, slot });
    survivors.sort((a, b) => a.slot.arrival - b.slot.arrival);
    // An ASCII key's latin1 string is its UTF-8 string too: reused, it is not decoded again, and
    // its hash, computed for the table, is ready for the caller's own lookups.
    return survivors.map(({ topic, slot }) => {
      const key = slot.message.key;
      const text = key !== null && key !== undefined && isAscii(key) ? slot.id : keyOf(slot.message);
      return toConsumedRecord(topic, slot.partition, slot.message, text);
    });
  }
}
