import type { Batch, IHeaders, KafkaMessage } from 'kafkajs';
import type { ConsumedBatch, ConsumedRecord, RecordHeaders } from './ports.ts';

// Most records carry no headers: they all share one frozen empty object instead of a new one each.
const NO_HEADERS: RecordHeaders = Object.freeze({});

/**
 * headersOf converts kafkajs headers to UTF-8 strings. Kafka allows a header key to repeat;
 * kafkajs then gives an array, and the last value wins (Java's `Headers.lastHeader`).
 */
export function headersOf(headers: IHeaders | undefined): RecordHeaders {
  if (headers === undefined) return NO_HEADERS;
  const names = Object.keys(headers);
  if (names.length === 0) return NO_HEADERS;
  const out: Record<string, string> = {};
  for (const name of names) {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value === undefined) continue;
    out[name] = typeof value === 'string' ? value : value.toString('utf8');
  }
  return out;
}

/** keyOf decodes a kafkajs message's key as UTF-8 (driftline keys are strings, never Avro). */
export function keyOf(message: Pick<KafkaMessage, 'key'>): string | null {
  return message.key === null || message.key === undefined ? null : message.key.toString('utf8');
}

/**
 * toConsumedRecord converts a kafkajs message: the key is decoded as UTF-8 unless the caller
 * already has it as a string, a null value stays null (tombstone), the timestamp becomes epoch ms.
 */
export function toConsumedRecord(
  topic: string,
  partition: number,
  message: KafkaMessage,
  key: string | null = keyOf(message),
): ConsumedRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key,
    value: message.value ?? null,
    headers: headersOf(message.headers),
    timestampMs: Number(message.timestamp),
  };
}

/** toConsumedBatch converts a kafkajs batch into the port's ConsumedBatch, preserving offset order. */
export function toConsumedBatch(
  batch: Pick<Batch, 'topic' | 'partition' | 'highWatermark' | 'messages'>,
): ConsumedBatch {
  return {
    topic: batch.topic,
    partition: batch.partition,
    highWatermark: batch.highWatermark,
    records: batch.messages.map((message) => toConsumedRecord(batch.topic, batch.partition, message)),
  };
}
