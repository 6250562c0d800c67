import type { DriftEvent } from '@driftline/schemas';
import { createAvroSerde, type KafkaClient } from '@driftline/shared/kafka';

/** DriftArrival is one decoded drift event and when this process received it (epoch ms). */
export interface DriftArrival {
  readonly event: DriftEvent;
  readonly receivedAtMs: number;
  readonly partition: number;
  readonly offset: string;
}

/**
 * DriftFeed reads `driftline.drift.v1` from the beginning with its own throw-away consumer group
 * (it commits nothing another reader depends on) and hands every decoded event to the listener, in
 * partition order. Tombstones and undecodable records are skipped (they are the sink's concern).
 */
export interface DriftFeed {
  /** stop disconnects the consumer; events stop arriving. */
  stop(): Promise<void>;
}

/** startDriftFeed starts a DriftFeed on `topic` and resolves once the consumer is running. */
export async function startDriftFeed(options: {
  readonly kafka: KafkaClient;
  readonly schemaRegistryUrl: string;
  readonly topic: string;
  readonly groupId: string;
  readonly onEvent: (arrival: DriftArrival) => void;
}): Promise<DriftFeed> {
  const serde = createAvroSerde({
    schemaRegistryUrl: options.schemaRegistryUrl,
    topicNames: { drift: options.topic },
  });
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const receivedAtMs = Date.now();
      if (message.value === null) return;
      const event = await serde.decode('drift', message.value).catch(() => null);
      if (event !== null) options.onEvent({ event, receivedAtMs, partition, offset: message.offset });
    },
  });
  return {
    async stop() {
      await consumer.disconnect();
    },
  };
}
