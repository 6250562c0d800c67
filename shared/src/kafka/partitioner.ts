import { Partitioners } from 'kafkajs';

// One partitioner instance is enough: for keyed records the DefaultPartitioner is a pure function
// of (key, partition count); its round-robin counter only serves records without a key.
const javaCompatible = Partitioners.DefaultPartitioner();

/**
 * partitionForKey returns the partition Kafka's Java client (and librdkafka's `murmur2_random`,
 * franz-go's sticky-key partitioner) puts `key` in among `partitionCount` partitions:
 * `toPositive(murmur2(utf8(key))) % partitionCount`. It runs the very partitioner the producer is
 * configured with (kafkajs DefaultPartitioner), so it answers "where does this key live" exactly.
 */
export function partitionForKey(key: string, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new RangeError(
      `partitionForKey: partition count must be a positive integer, got ${partitionCount}`,
    );
  }
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return javaCompatible({
    topic: '',
    partitionMetadata,
    message: { key: Buffer.from(key, 'utf8'), value: null },
  });
}
