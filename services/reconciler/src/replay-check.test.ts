import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import {
  createAvroSerde,
  createInMemoryKafka,
  driftlineTopicSet,
  inMemoryCompactedReader,
  type SchemaRegistryClient,
} from '@driftline/shared/kafka';
import { HealthTable } from './kafka-health-table.ts';
import { PartitionReconciler } from './partition-reconciler.ts';
import { replayCheck, type ReplayProgress } from './replay-check.ts';
import { desiredRecord, observedRecord } from './test-records.ts';

function fakeRegistry(): SchemaRegistryClient {
  const ids = new Map<string, number>();
  const types = new Map<number, avro.Type>();
  return {
    async register(schema, options) {
      const key = `${options.subject}\u0000${schema.schema}`;
      let id = ids.get(key);
      if (id === undefined) {
        id = types.size + 1;
        types.set(id, avro.Type.forSchema(JSON.parse(schema.schema) as avro.Schema));
        ids.set(key, id);
      }
      return { id };
    },
    async getSchema(id) {
      const type = types.get(id);
      if (type === undefined) throw Object.assign(new Error(`schema ${id} not found`), { status: 404 });
      return type;
    },
  };
}

const topics = {
  desired: 'driftline.desired.v1',
  observed: 'driftline.observed.v1',
  drift: 'driftline.drift.v1',
  providerHealth: 'driftline.provider-health.v1',
};
const config = { persistMs: 0, convergenceGraceMs: 0, staleAfterMs: 60_000 };
const KEYS = ['p/ns/MongoDB/a', 'p/ns/MongoDB/b', 'p/ns/Postgres/c', 'q/ns/Redis/d'];

/** A pipeline whose drift topic holds what a live reconciler emitted for the inputs. */
async function pipeline() {
  const kafka = createInMemoryKafka();
  await kafka.admin.ensureTopics(
    driftlineTopicSet({ coPartitionedPartitions: 2, otherPartitions: 1, replicationFactor: 1 }),
  );
  const serde = createAvroSerde({ schemaRegistryUrl: 'http://unused', registry: fakeRegistry() });
  const live = new PartitionReconciler({
    partition: 0,
    config,
    health$: new HealthTable().changes$(),
    onTimerOutputs: () => undefined,
  });
  for (const [i, key] of KEYS.entries()) {
    const desired = desiredRecord({ replicas: i % 2 === 0 ? 5 : 3 }, key);
    const observed = observedRecord({ replicas: 3 }, key);
    await kafka.producer.send([
      { topic: topics.desired, key, value: await serde.encode('desired', desired) },
    ]);
    await kafka.producer.send([
      { topic: topics.observed, key, value: await serde.encode('observed', observed) },
    ]);
    const outputs = live.apply([
      { type: 'desired', change: { key, value: desired } },
      { type: 'observed', change: { key, value: observed } },
    ]);
    for (const o of outputs)
      if (o.type === 'drift')
        await kafka.producer.send([
          { topic: topics.drift, key, value: await serde.encode('drift', o.event) },
        ]);
  }
  live.dispose();
  const check = (progress: ReplayProgress[] = []) =>
    replayCheck({
      topics,
      config,
      serde,
      reader: inMemoryCompactedReader((topic) => kafka.records(topic)),
      endOffsets: async (topic) => {
        const offsets = await kafka.admin.fetchOffsets('none', [topic]);
        return offsets.map((o) => ({ topic, partition: o.partition, end: o.high }));
      },
      onProgress: (p) => progress.push(p),
    });
  return { kafka, serde, check };
}

describe('replayCheck', () => {
  it('finds the drift set rebuilt from the inputs equal to the one on the drift topic', async () => {
    const { check } = await pipeline();
    const progress: ReplayProgress[] = [];
    const result = await check(progress);
    expect(result.comparison).toMatchObject({ equal: true, keys: 2, same: 2, different: [] });
    expect(result.comparison.equalKeys).toEqual([KEYS[0], KEYS[2]]);
    expect(result.replayedDigest).toBe(result.currentDigest);
    expect(result.inputRecords).toBe(KEYS.length * 2);
    expect(progress.map((p) => p.phase)).toEqual(
      expect.arrayContaining(['read-inputs', 'reconcile', 'read-drift']),
    );
  });

  it('names the key whose drift on the topic differs from the replayed one', async () => {
    const { kafka, serde, check } = await pipeline();
    const key = KEYS[1] ?? '';
    // A change nobody reconciled yet: the observed side now lags the desired replicas.
    await kafka.producer.send([
      {
        topic: topics.observed,
        key,
        value: await serde.encode('observed', observedRecord({ replicas: 1, resourceVersion: '101' }, key)),
      },
    ]);
    const result = await check();
    expect(result.comparison.equal).toBe(false);
    expect(result.comparison.different.map((d) => [d.key, d.actual])).toEqual([[key, null]]);
    expect(result.replayedDigest).not.toBe(result.currentDigest);
  });
});
