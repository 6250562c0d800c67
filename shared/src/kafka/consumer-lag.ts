import { computeLag, lagStartOffset, type PartitionLag } from './lag.ts';
import type { KafkaAdminPort } from './ports.ts';

/**
 * fetchConsumerLag measures a consumer group's lag on `topics`, per partition, in messages and
 * seconds: committed offsets and watermarks from the admin port, then the timestamp of the next
 * unconsumed record for the partitions that lag (none are probed when the group is caught up).
 * Rejects with the admin port's DriftlineError when Kafka is unreachable.
 */
export async function fetchConsumerLag(
  admin: KafkaAdminPort,
  groupId: string,
  topics: readonly string[],
  nowMs: number,
): Promise<PartitionLag[]> {
  const offsets = await admin.fetchOffsets(groupId, topics);
  const probes = offsets.flatMap((o) => {
    const offset = lagStartOffset(o);
    return offset === null ? [] : [{ topic: o.topic, partition: o.partition, offset }];
  });
  const timestamps = await admin.fetchRecordTimestamps(probes);
  const timestampOf = new Map(timestamps.map((t) => [`${t.topic}/${t.partition}`, t.timestampMs]));
  return offsets.map((o) =>
    computeLag({ ...o, nextRecordTimestampMs: timestampOf.get(`${o.topic}/${o.partition}`) ?? null }, nowMs),
  );
}
