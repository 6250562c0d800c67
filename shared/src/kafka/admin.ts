import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import { DriftlineError } from '@driftline/shared/errors';
import { createPolicy } from '@driftline/shared/resilience';
import { toKafkaError } from './kafka-error.ts';
import type {
  EnsureTopicsResult,
  KafkaAdminPort,
  PartitionOffsets,
  TopicDescription,
  TopicSpec,
} from './ports.ts';
import { probeRecordTimestamps } from './record-timestamp-probe.ts';
import { describeDrift, planTopics, topicConfigEntries } from './topics.ts';

// kafkajs is CommonJS and Node's static analysis of its exports stops before ConfigResourceTypes,
// so it is read from the module object (a named import works under vitest but not under Node).
const { ConfigResourceTypes } = kafkajs;

// How long the controller may take to create topics and elect leaders; a single KRaft node answers
// in well under a second, a loaded cluster in a few.
const CREATE_TIMEOUT_MS = 30_000;

// A just-created topic can be unknown to the broker's metadata for a moment (KRaft propagates it
// asynchronously), and kafkajs's wait for leaders retries only LEADER_NOT_AVAILABLE: it gives up
// with UNKNOWN_TOPIC_OR_PARTITION. ensureTopics is idempotent, so a transient failure re-runs it
// whole, a few times with jittered backoff (up to ~3 s in all); a drift from the spec is never retried.
const ENSURE_RETRY = { maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 1_000 } as const;

async function describeExisting(admin: Admin, names: readonly string[]): Promise<TopicDescription[]> {
  const all = new Set(await admin.listTopics());
  const present = names.filter((name) => all.has(name));
  if (present.length === 0) return [];
  const [{ topics }, configs] = await Promise.all([
    admin.fetchTopicMetadata({ topics: present }),
    admin.describeConfigs({
      includeSynonyms: false,
      resources: present.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['cleanup.policy'],
      })),
    }),
  ]);
  const policies = new Map(
    configs.resources.map((resource) => [
      resource.resourceName,
      resource.configEntries.find((entry) => entry.configName === 'cleanup.policy')?.configValue ?? 'delete',
    ]),
  );
  return topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.length,
    cleanupPolicy: policies.get(topic.name) ?? 'delete',
  }));
}

function driftError(drift: Parameters<typeof describeDrift>[0]): DriftlineError {
  return new DriftlineError('KAFKA_FATAL', `Kafka topics differ from their spec: ${describeDrift(drift)}`, {
    retryable: false,
    details: { topics: [...new Set(drift.map((d) => d.topic))].join(',') },
  });
}

/**
 * ensureTopicsOnce creates the missing topics of `specs`, then re-describes them all and rejects
 * with a `KAFKA_FATAL` DriftlineError naming each partition-count or cleanup-policy difference.
 */
async function ensureTopicsOnce(admin: Admin, specs: readonly TopicSpec[]): Promise<EnsureTopicsResult> {
  const names = specs.map((spec) => spec.name);
  let plan;
  try {
    plan = planTopics(specs, await describeExisting(admin, names));
    if (plan.drift.length === 0 && plan.create.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        timeout: CREATE_TIMEOUT_MS,
        topics: plan.create.map((spec) => ({
          topic: spec.name,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          configEntries: topicConfigEntries(spec),
        })),
      });
    }
  } catch (error) {
    throw toKafkaError(error, 'provisioning Kafka topics', { topics: names.join(',') });
  }
  if (plan.drift.length > 0) throw driftError(plan.drift);
  if (plan.create.length > 0) {
    // Verify what exists now, so a concurrent creator with different settings is caught too.
    const after = planTopics(
      specs,
      await describeExisting(admin, names).catch((error: unknown) => {
        throw toKafkaError(error, 'describing Kafka topics');
      }),
    );
    if (after.drift.length > 0) throw driftError(after.drift);
  }
  return { created: plan.create.map((spec) => spec.name), existing: plan.existing };
}

/**
 * createKafkaAdmin connects a kafkajs admin client and returns it as a KafkaAdminPort.
 * `ensureTopics` is idempotent and safe to race: it creates the missing topics (cleanup.policy,
 * min.insync.replicas, the spec's configs), then re-describes every topic and rejects with a
 * `KAFKA_FATAL` DriftlineError naming each partition-count or cleanup-policy difference — also
 * when another process created a topic concurrently with other settings. It never alters an
 * existing topic. A transient failure re-runs it (ENSURE_RETRY); a topic the failed attempt
 * created is then reported under `existing`.
 */
export async function createKafkaAdmin(kafka: Kafka): Promise<KafkaAdminPort> {
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    throw toKafkaError(error, 'connecting the Kafka admin client');
  }
  let connected = true;
  const ensurePolicy = createPolicy({ name: 'kafka-topics', retry: ENSURE_RETRY });

  return {
    ensureTopics(specs: readonly TopicSpec[]): Promise<EnsureTopicsResult> {
      return ensurePolicy.execute(() => ensureTopicsOnce(admin, specs));
    },

    async describeTopics(names: readonly string[]): Promise<readonly TopicDescription[]> {
      try {
        return await describeExisting(admin, names);
      } catch (error) {
        throw toKafkaError(error, 'describing Kafka topics');
      }
    },

    async fetchOffsets(groupId: string, topics: readonly string[]): Promise<readonly PartitionOffsets[]> {
      try {
        const [committed, ends] = await Promise.all([
          admin.fetchOffsets({ groupId, topics: [...topics] }),
          Promise.all(
            topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) })),
          ),
        ]);
        const committedBy = new Map(
          committed.flatMap(({ topic, partitions }) =>
            partitions.map((p) => [`${topic}/${p.partition}`, p.offset]),
          ),
        );
        return ends.flatMap(({ topic, partitions }) =>
          partitions
            .map((p) => {
              const offset = committedBy.get(`${topic}/${p.partition}`);
              // kafkajs reports "never committed" as -1.
              const hasCommit = offset !== undefined && offset !== '-1';
              return {
                topic,
                partition: p.partition,
                committed: hasCommit ? offset : null,
                low: p.low,
                high: p.high,
              };
            })
            .sort((a, b) => a.partition - b.partition),
        );
      } catch (error) {
        throw toKafkaError(error, 'fetching consumer group offsets', { groupId });
      }
    },

    fetchRecordTimestamps(positions) {
      return probeRecordTimestamps(kafka, positions);
    },

    async disconnect(): Promise<void> {
      if (!connected) return;
      connected = false;
      await admin.disconnect();
    },
  };
}
