export type {
  BatchContext,
  BatchHandler,
  ConsumedBatch,
  ConsumedRecord,
  EnsureTopicsResult,
  KafkaAdminPort,
  KafkaConsumerPort,
  KafkaProducerPort,
  LifecycleState,
  OutgoingRecord,
  PartitionOffsets,
  RecordHeaders,
  RecordPosition,
  StopOptions,
  TopicDescription,
  TopicPartition,
  TopicSpec,
} from './ports.ts';
export { createKafkaClient, kafkaConfigFor } from './client-factory.ts';
export type {
  KafkaClient,
  KafkaClientConfig,
  KafkaRetryConfig,
  KafkaSaslConfig,
  KafkaTlsConfig,
} from './client-factory.ts';
export { pinoLogCreator, scrubLogValue } from './log-creator.ts';
export { isTransientKafkaError, toKafkaError } from './kafka-error.ts';
export { createIdempotentProducer } from './producer.ts';
export type { ProducerOptions } from './producer.ts';
export { partitionForKey } from './partitioner.ts';
export { createKafkaAdmin } from './admin.ts';
export { cleanupPolicyFor, describeDrift, planTopics, topicConfigEntries } from './topics.ts';
export type { TopicDrift, TopicPlan } from './topics.ts';
export { driftlineTopicSet } from './topic-set.ts';
export type { DriftlineTopicSetOptions } from './topic-set.ts';
export { createConsumerRunner } from './consumer-runner.ts';
export type { ConsumerRunnerOptions } from './consumer-runner.ts';
export { assignmentFromMember, diffAssignment } from './assignment.ts';
export type { AssignmentChange } from './assignment.ts';
export { createAvroSerde } from './avro-serde.ts';
export type { AvroSerde, AvroSerdeOptions, SchemaRegistryClient } from './avro-serde.ts';
export { decodeFrame, encodeFrame, FRAME_HEADER_LENGTH, MAGIC_BYTE } from './confluent-frame.ts';
export type { ConfluentFrame } from './confluent-frame.ts';
export { computeLag, lagStartOffset } from './lag.ts';
export type { PartitionLag, PartitionLagInput } from './lag.ts';
export { fetchConsumerLag } from './consumer-lag.ts';
export { reportConsumerLag } from './lag-reporter.ts';
export { probeRecordTimestamps } from './record-timestamp-probe.ts';
export type { RecordPositionQuery, RecordTimestamp } from './record-timestamp-probe.ts';
export { createInMemoryKafka } from './in-memory-kafka.ts';
export type { InMemoryConsumerOptions, InMemoryKafka, InMemoryKafkaOptions } from './in-memory-kafka.ts';
export { kafkaClientConfigFromEnv, topicNamesFromEnv } from './kafka-config.ts';
export type { KafkaEnvSlice, TopicsEnvSlice } from './kafka-config.ts';
export { createCompactedReader, readPlan } from './compacted-reader.ts';
export type {
  CompactedRead,
  CompactedReader,
  CompactedReaderOptions,
  PartitionEnd,
  RecordsHandler,
  Watermarks,
} from './compacted-reader.ts';
export { inMemoryCompactedReader } from './in-memory-compacted-reader.ts';
export { LatestPerKey, latestPerKey } from './latest-per-key.ts';
export { coPartitionedAssigner, withCoPartitionedAssignment } from './co-partitioned-assigner.ts';
export { createLease } from './lease.ts';
export type { Lease, LeaseOptions } from './lease.ts';
export { chooseLeaseHolder, LEASE_ASSIGNER_NAME, stickyLeaseAssigner } from './sticky-lease-assigner.ts';
export type { MemberClaim } from './sticky-lease-assigner.ts';
