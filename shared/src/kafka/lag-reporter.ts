import type { MetricsPort } from '@driftline/shared/metrics';
import { fetchConsumerLag } from './consumer-lag.ts';
import type { PartitionLag } from './lag.ts';
import type { KafkaAdminPort } from './ports.ts';

/**
 * reportConsumerLag measures `groupId`'s lag on `topics` once and records one `consumer.lag`
 * metric event per partition (messages and seconds). Returns the measurement; rejects with the
 * admin port's DriftlineError when Kafka is unreachable, recording nothing (a stale gauge is
 * better than a false zero). Services call it on an interval of their choosing.
 */
export async function reportConsumerLag(
  admin: KafkaAdminPort,
  metrics: MetricsPort,
  groupId: string,
  topics: readonly string[],
  nowMs: number,
): Promise<PartitionLag[]> {
  const lag = await fetchConsumerLag(admin, groupId, topics, nowMs);
  for (const p of lag) {
    metrics.record({
      type: 'consumer.lag',
      group: groupId,
      topic: p.topic,
      partition: p.partition,
      messages: p.messages,
      seconds: p.seconds,
    });
  }
  return lag;
}
