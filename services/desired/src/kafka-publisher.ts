import type { DeadLetter, DesiredDatabase, ProviderRecord } from '@driftline/schemas';
import type { AvroSerde, KafkaProducerPort, OutgoingRecord } from '@driftline/shared/kafka';
import { BSON } from 'mongodb';
import type { SourceCollection } from './change.ts';
import type { PublisherPort, PublishMarker } from './ports.ts';
import type { DeadLetterOutput, TranslatorOutput } from './translator.ts';

/**
 * RECORD_HEADERS names the Kafka headers the desired service writes on every record:
 * - `correlation-id`: the change's deterministic correlation id;
 * - `driftline-source`: `snapshot` or `stream`;
 * - `driftline-source-id`: the source document's `_id` as canonical Extended JSON (rebuilds the
 *   key index on start; survives compaction with the record);
 * - `driftline-resync-id`: only on records published by a resnapshot after a lost position — the
 *   resync marker consumers may log or count.
 */
export const RECORD_HEADERS = {
  correlationId: 'correlation-id',
  source: 'driftline-source',
  sourceId: 'driftline-source-id',
  resyncId: 'driftline-resync-id',
} as const;

/** KafkaPublisherOptions name the topics and the dead-letter provenance. */
export interface KafkaPublisherOptions {
  readonly producer: KafkaProducerPort;
  readonly serde: AvroSerde;
  readonly topics: Readonly<Record<SourceCollection, string>> & { readonly deadletter: string };
  /** Shown as the dead letter's `originalTopic`: `mongodb:<database>.<collection>`. */
  readonly mongoDatabase: string;
  /** Records per producer request; sends are sequential so per-key order holds across chunks. */
  readonly sendChunkSize: number;
  readonly now: () => number;
  /** Called after each acknowledged chunk with its records (metrics). */
  readonly onSent?: (records: readonly OutgoingRecord[]) => void;
}

/**
 * createKafkaPublisher publishes translator outputs: records to `desired.v1` / `providers.v1`
 * (Avro, Confluent framing, key = database key or provider id, null value = tombstone) and dead
 * letters to `deadletter.v1` (key = the document's `_id`, value = the redacted document as
 * relaxed Extended JSON, or null when oversize). Outputs are sent in their order, in chunks, one
 * chunk at a time; `publish` resolves when Kafka acknowledged every chunk (acks=all, idempotent
 * producer) and rejects on the first failed chunk — the pipeline then restarts from its stored
 * position, so a partially sent batch is resent (harmless duplicates).
 */
export function createKafkaPublisher(options: KafkaPublisherOptions): PublisherPort {
  const { serde, topics } = options;

  async function deadLetterRecord(output: DeadLetterOutput, marker: PublishMarker): Promise<OutgoingRecord> {
    const value: DeadLetter = {
      originalTopic: `mongodb:${options.mongoDatabase}.${output.collection}`,
      partition: -1,
      offset: output.clusterTime ?? '-1',
      key: Buffer.from(output.documentId, 'utf8'),
      value:
        output.document === null
          ? null
          : Buffer.from(BSON.EJSON.stringify(output.document, { relaxed: true }), 'utf8'),
      errorCode: 'INPUT_INVALID',
      errorMessage: `${output.reason}: ${output.message}`,
      retryable: false,
      attempts: 1,
      service: 'desired',
      failedAtMs: options.now(),
    };
    return {
      topic: topics.deadletter,
      key: output.documentId,
      value: await serde.encode('deadletter', value),
      headers: headersOf(output.correlationId, output.documentId, marker),
    };
  }

  async function toRecords(
    outputs: readonly TranslatorOutput[],
    marker: PublishMarker,
  ): Promise<OutgoingRecord[]> {
    const records: OutgoingRecord[] = [];
    for (const output of outputs) {
      if (output.type === 'skip') continue;
      if (output.type === 'dead-letter') {
        records.push(await deadLetterRecord(output, marker));
        continue;
      }
      const value =
        output.value === null
          ? null
          : output.collection === 'databases'
            ? await serde.encode('desired', output.value as DesiredDatabase)
            : await serde.encode('providers', output.value as ProviderRecord);
      records.push({
        topic: topics[output.collection],
        key: output.key,
        value,
        headers: headersOf(output.correlationId, output.documentId, marker),
      });
    }
    return records;
  }

  return {
    async publish(outputs: readonly TranslatorOutput[], marker: PublishMarker): Promise<void> {
      const records = await toRecords(outputs, marker);
      for (let start = 0; start < records.length; start += options.sendChunkSize) {
        const chunk = records.slice(start, start + options.sendChunkSize);
        await options.producer.send(chunk);
        options.onSent?.(chunk);
      }
    },
  };
}

function headersOf(correlationId: string, documentId: string, marker: PublishMarker): Record<string, string> {
  const headers: Record<string, string> = {
    [RECORD_HEADERS.correlationId]: correlationId,
    [RECORD_HEADERS.source]: marker.source,
    [RECORD_HEADERS.sourceId]: documentId,
  };
  if (marker.resyncId !== null) headers[RECORD_HEADERS.resyncId] = marker.resyncId;
  return headers;
}
