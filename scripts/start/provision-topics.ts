import { createKafkaAdmin, driftlineTopicSet, type KafkaClient } from '@driftline/shared/kafka';
import type { PipelineSettings } from './pipeline-settings.ts';

/**
 * provisionTopics creates every driftline topic of `settings` (compaction from the contracts, one
 * partition count for all, replication 1 on the local single broker) and registers nothing else.
 * Idempotent: existing topics that match are left alone; ones that differ (partition count,
 * cleanup policy) reject with the admin's KAFKA_FATAL error. Returns the names created.
 */
export async function provisionTopics(kafka: KafkaClient, settings: PipelineSettings): Promise<string[]> {
  const admin = await createKafkaAdmin(kafka);
  try {
    const result = await admin.ensureTopics(
      driftlineTopicSet({
        coPartitionedPartitions: settings.partitions,
        // desired creates providers and dead-letter topics with its own single partition count.
        otherPartitions: settings.partitions,
        replicationFactor: 1,
        names: settings.topics,
      }),
    );
    return [...result.created];
  } finally {
    await admin.disconnect();
  }
}
