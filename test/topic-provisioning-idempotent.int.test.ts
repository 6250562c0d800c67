import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriftlineError } from '@driftline/shared/errors';
import {
  createKafkaAdmin,
  createKafkaClient,
  driftlineTopicSet,
  type KafkaAdminPort,
  type TopicSpec,
} from '@driftline/shared/kafka';
import { stackEndpoints } from './support/stack.ts';

// Proves topic provisioning against the real broker: ensuring the driftline topic set twice creates
// once and then changes nothing; state topics are compacted; a topic whose partition count differs
// from the spec is reported and left as it is (never re-partitioned: that would move keys).

const logger = pino({ level: 'silent' });

describe('topic provisioning is idempotent', () => {
  const run = randomUUID().slice(0, 8);
  const prefix = `prov-${run}`;
  const specs: TopicSpec[] = driftlineTopicSet({
    coPartitionedPartitions: 6,
    otherPartitions: 2,
    replicationFactor: 1,
    names: {
      providers: `${prefix}.providers`,
      providerHealth: `${prefix}.provider-health`,
      desired: `${prefix}.desired`,
      observed: `${prefix}.observed`,
      drift: `${prefix}.drift`,
      operations: `${prefix}.operations`,
      deadletter: `${prefix}.deadletter`,
    },
    configs: { drift: { 'retention.ms': '604800000' } },
  });
  let kafka: ReturnType<typeof createKafkaClient>;
  let admin: KafkaAdminPort;

  beforeAll(async () => {
    kafka = createKafkaClient({ brokers: stackEndpoints().kafkaBrokers, clientId: prefix }, logger);
    admin = await createKafkaAdmin(kafka);
  });

  afterAll(async () => {
    await admin?.disconnect();
    const cleanup = kafka?.admin();
    await cleanup?.connect();
    await cleanup?.deleteTopics({ topics: specs.map((s) => s.name) }).catch(() => undefined);
    await cleanup?.disconnect();
  });

  it('creates the missing topics once; a second ensure is a no-op', async () => {
    const first = await admin.ensureTopics(specs);
    expect([...first.created].sort()).toEqual(specs.map((s) => s.name).sort());
    expect(first.existing).toEqual([]);

    const second = await admin.ensureTopics(specs);
    expect(second.created).toEqual([]);
    expect([...second.existing].sort()).toEqual(specs.map((s) => s.name).sort());

    const described = await admin.describeTopics(specs.map((s) => s.name));
    for (const spec of specs) {
      expect(described.find((d) => d.name === spec.name)?.partitions, spec.name).toBe(spec.partitions);
    }
  });

  it('compacts the state topics and only them (describeConfigs)', async () => {
    await admin.ensureTopics(specs);
    const raw = kafka.admin();
    await raw.connect();
    try {
      const { resources } = await raw.describeConfigs({
        includeSynonyms: false,
        resources: specs.map((s) => ({
          // The Kafka protocol's resource type id for a topic (kafkajs ConfigResourceTypes.TOPIC).
          type: 2,
          name: s.name,
          configNames: ['cleanup.policy', 'retention.ms'],
        })),
      });
      const config = (topic: string, name: string): string | undefined =>
        resources.find((r) => r.resourceName === topic)?.configEntries.find((e) => e.configName === name)
          ?.configValue;
      for (const state of ['providers', 'provider-health', 'desired', 'observed']) {
        expect(config(`${prefix}.${state}`, 'cleanup.policy'), state).toBe('compact');
      }
      for (const events of ['drift', 'operations', 'deadletter']) {
        expect(config(`${prefix}.${events}`, 'cleanup.policy'), events).toBe('delete');
      }
      expect(config(`${prefix}.drift`, 'retention.ms')).toBe('604800000');
    } finally {
      await raw.disconnect();
    }
  });

  it('reports a partition-count or cleanup-policy mismatch and changes nothing', async () => {
    await admin.ensureTopics(specs);
    const observed = specs.find((s) => s.name === `${prefix}.observed`);
    if (observed === undefined) throw new Error('observed spec missing');
    const wanted: TopicSpec[] = [
      { ...observed, partitions: 12 },
      { ...observed, name: `${prefix}.drift`, compacted: true },
    ];

    const error = await admin.ensureTopics(wanted).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DriftlineError);
    expect(error).toMatchObject({ code: 'KAFKA_FATAL', retryable: false });
    const message = (error as Error).message;
    expect(message).toContain(`${prefix}.observed: partitions is 6, expected 12`);
    expect(message).toContain(`${prefix}.drift: cleanup.policy is delete, expected compact`);

    const after = await admin.describeTopics([`${prefix}.observed`, `${prefix}.drift`]);
    expect(after.find((d) => d.name === `${prefix}.observed`)).toMatchObject({
      partitions: 6,
      cleanupPolicy: 'compact',
    });
    expect(after.find((d) => d.name === `${prefix}.drift`)).toMatchObject({
      partitions: 6,
      cleanupPolicy: 'delete',
    });
  });
});
