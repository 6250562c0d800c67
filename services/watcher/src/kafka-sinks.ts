import type { ProviderHealth } from '@driftline/schemas';
import type { AvroSerde, KafkaProducerPort, OutgoingRecord } from '@driftline/shared/kafka';
import type { HealthSink, ObservedChange, ObservedSink } from './provider-supervisor.ts';

/**
 * createObservedSink publishes observed changes to `observed.v1`: key = database key (UTF-8),
 * value = Avro `ObservedDatabase` in Confluent framing, `null` for a tombstone. One `send` per
 * call, so a batch keeps its order per partition; resolves when the broker acknowledged all.
 */
export function createObservedSink(
  producer: KafkaProducerPort,
  serde: AvroSerde,
  topic: string,
): ObservedSink {
  return {
    async publish(changes: readonly ObservedChange[]) {
      const records: OutgoingRecord[] = [];
      for (const change of changes) {
        records.push({
          topic,
          key: change.key,
          value: await serde.encode('observed', change.value),
          ...(change.value === null ? {} : { headers: { 'correlation-id': change.value.correlationId } }),
        });
      }
      await producer.send(records);
    },
  };
}

/** createHealthSink publishes provider health to `provider-health.v1`, keyed by provider id. */
export function createHealthSink(producer: KafkaProducerPort, serde: AvroSerde, topic: string): HealthSink {
  return {
    async publish(health: ProviderHealth) {
      await producer.send([
        { topic, key: health.provider, value: await serde.encode('providerHealth', health) },
      ]);
    },
  };
}
