import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import type { DeadLetter, DriftEvent, Operation } from '@driftline/schemas';
import { DriftlineError } from '@driftline/shared/errors';
import {
  createAvroSerde,
  createInMemoryKafka,
  driftlineTopicSet,
  inMemoryCompactedReader,
  partitionForKey,
  type AvroSerde,
  type InMemoryKafka,
  type KafkaProducerPort,
  type SchemaRegistryClient,
} from '@driftline/shared/kafka';
import { createLogger } from '@driftline/shared/logging';
import { recordingMetrics } from '@driftline/shared/metrics';
import { HealthTable } from './kafka-health-table.ts';
import { chunksOf, PartitionManager, type ReconcilerTopics } from './partition-manager.ts';
import { desiredRecord, observedRecord } from './test-records.ts';

const PARTITIONS = 3;
const GROUP = 'reconciler-test';
const topics: ReconcilerTopics = {
  desired: 'driftline.desired.v1',
  observed: 'driftline.observed.v1',
  drift: 'driftline.drift.v1',
  operations: 'driftline.operations.v1',
  deadletter: 'driftline.deadletter.v1',
};
const logger = createLogger({ service: 'reconciler-test', level: 'silent' });
const KEYS = ['prov-a/team-1/MongoDB/orders', 'prov-a/team-1/Postgres/users', 'prov-b/team-2/MySQL/shop'];

/** An in-memory schema registry (ids by subject and schema text). */
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

/** A producer that can be held (backpressure) or made to fail once. */
function controllableProducer(inner: KafkaProducerPort) {
  let failures = 0;
  let gate: Promise<void> | null = null;
  let open: () => void = () => undefined;
  let calls = 0;
  const producer: KafkaProducerPort = {
    async send(records) {
      calls += 1;
      if (gate !== null) await gate;
      if (failures > 0) {
        failures -= 1;
        throw new DriftlineError('KAFKA_UNAVAILABLE', 'broker unavailable (test)');
      }
      return inner.send(records);
    },
    disconnect: () => inner.disconnect(),
  };
  return {
    producer,
    failNext: (count = 1) => (failures = count),
    hold: () => (gate = new Promise<void>((resolve) => (open = resolve))),
    release: () => {
      gate = null;
      open();
    },
    calls: () => calls,
  };
}

async function setup() {
  const kafka = createInMemoryKafka();
  await kafka.admin.ensureTopics(
    driftlineTopicSet({ coPartitionedPartitions: PARTITIONS, otherPartitions: 1, replicationFactor: 1 }),
  );
  const serde = createAvroSerde({ schemaRegistryUrl: 'http://unused', registry: fakeRegistry() });
  return { kafka, serde, control: controllableProducer(kafka.producer) };
}

function startMember(
  kafka: InMemoryKafka,
  serde: AvroSerde,
  producer: KafkaProducerPort,
  metrics = recordingMetrics(),
  persistMs = 0,
) {
  const manager = new PartitionManager({
    groupId: GROUP,
    topics,
    config: { persistMs, convergenceGraceMs: 0, staleAfterMs: 60_000 },
    serde,
    producer,
    admin: kafka.admin,
    reader: inMemoryCompactedReader((topic) => kafka.records(topic)),
    health: new HealthTable(),
    logger,
    metrics,
    retryMinMs: 1,
    retryMaxMs: 5,
  });
  const consumer = kafka.consumer({
    groupId: GROUP,
    topics: [topics.desired, topics.observed],
    handler: manager.handle,
    onAssigned: manager.onAssigned,
    onRevoked: manager.onRevoked,
  });
  return { manager, consumer, metrics };
}

async function produce(
  kafka: InMemoryKafka,
  serde: AvroSerde,
  records: { topic: 'desired' | 'observed'; key: string; value: unknown }[],
) {
  for (const r of records) {
    const value =
      r.topic === 'desired'
        ? await serde.encode('desired', r.value as ReturnType<typeof desiredRecord> | null)
        : await serde.encode('observed', r.value as ReturnType<typeof observedRecord> | null);
    await kafka.producer.send([{ topic: topics[r.topic], key: r.key, value }]);
  }
}

async function driftEvents(kafka: InMemoryKafka, serde: AvroSerde): Promise<DriftEvent[]> {
  const events: DriftEvent[] = [];
  for (const record of kafka.records(topics.drift)) {
    const event = await serde.decode('drift', record.value);
    if (event !== null) events.push(event);
  }
  return events;
}

async function operations(kafka: InMemoryKafka, serde: AvroSerde): Promise<Operation[]> {
  const ops: Operation[] = [];
  for (const record of kafka.records(topics.operations)) {
    const op = await serde.decode('operations', record.value);
    if (op !== null) ops.push(op);
  }
  return ops;
}

describe('PartitionManager', () => {
  it('turns desired and observed records into drift events and operations in the key’s partition, then commits', async () => {
    const { kafka, serde, control } = await setup();
    const { manager, consumer, metrics } = startMember(kafka, serde, control.producer);
    const key = KEYS[0] ?? '';
    await produce(kafka, serde, [
      { topic: 'desired', key, value: desiredRecord({ replicas: 5 }, key) },
      { topic: 'observed', key, value: observedRecord({ replicas: 3 }, key) },
    ]);
    await consumer.start();
    await kafka.settle();

    const events = await driftEvents(kafka, serde);
    expect(events.map((e) => [e.status, e.keyStatus])).toEqual([
      ['opened', 'missing'],
      ['changed', 'drifting'],
    ]);
    const ops = await operations(kafka, serde);
    expect(ops.map((o) => [o.type, o.spec.replicas])).toEqual([['HorizontalScaling', 5]]);
    expect(events[1]?.operationIds).toEqual([ops[0]?.operationId]);
    const partition = partitionForKey(key, PARTITIONS);
    for (const record of [...kafka.records(topics.drift), ...kafka.records(topics.operations)]) {
      expect(record.key).toBe(key);
      expect(record.partition).toBe(partition);
      // The correlation id travels in the value only.
      expect(record.headers).toEqual({});
    }
    expect(kafka.committed(GROUP, topics.desired, partition)).toBe('1');
    expect(kafka.committed(GROUP, topics.observed, partition)).toBe('1');
    expect(manager.openDriftByKind()).toEqual(new Map([['MongoDB', 1]]));
    expect(metrics.events).toContainEqual({
      type: 'operations.created',
      operationType: 'HorizontalScaling',
      count: 1,
    });
    await consumer.stop();
  });

  it('sends the outputs to the partition number of their inputs, even where the key does not hash to it', async () => {
    const { kafka, serde, control } = await setup();
    const { consumer } = startMember(kafka, serde, control.producer);
    const key = KEYS[2] ?? '';
    const elsewhere = (partitionForKey(key, PARTITIONS) + 1) % PARTITIONS;
    await kafka.producer.send([
      {
        topic: topics.desired,
        key,
        value: await serde.encode('desired', desiredRecord({ replicas: 5 }, key)),
        partition: elsewhere,
      },
      {
        topic: topics.observed,
        key,
        value: await serde.encode('observed', observedRecord({ replicas: 3 }, key)),
        partition: elsewhere,
      },
    ]);
    await consumer.start();
    await kafka.settle();

    const outputs = [...kafka.records(topics.drift), ...kafka.records(topics.operations)];
    expect(outputs.length).toBeGreaterThan(0);
    for (const record of outputs) expect(record.partition).toBe(elsewhere);
    await consumer.stop();
  });

  it('dead-letters an undecodable value and a bad key with the reason, and carries on', async () => {
    const { kafka, serde, control } = await setup();
    const { consumer, metrics } = startMember(kafka, serde, control.producer);
    const key = KEYS[1] ?? '';
    await kafka.producer.send([{ topic: topics.desired, key, value: Buffer.from('not avro') }]);
    await kafka.producer.send([
      { topic: topics.desired, key: 'no-slashes', value: await serde.encode('desired', desiredRecord()) },
    ]);
    await produce(kafka, serde, [{ topic: 'desired', key, value: desiredRecord({}, key) }]);
    await consumer.start();
    await kafka.settle();

    const letters: DeadLetter[] = [];
    for (const record of kafka.records(topics.deadletter)) {
      const letter = await serde.decode('deadletter', record.value);
      if (letter !== null) letters.push(letter);
    }
    expect(letters.map((l) => [l.originalTopic, l.errorCode, l.key?.toString('utf8')]).sort()).toEqual([
      [topics.desired, 'KEY_INVALID', 'no-slashes'],
      [topics.desired, 'SERDE_FAILED', key],
    ]);
    expect(letters.every((l) => l.service === 'reconciler' && !l.retryable && l.errorMessage !== '')).toBe(
      true,
    );
    expect(letters.find((l) => l.errorCode === 'SERDE_FAILED')?.value?.toString()).toBe('not avro');
    expect((await driftEvents(kafka, serde)).map((e) => [e.key, e.keyStatus])).toEqual([[key, 'missing']]);
    expect(metrics.events.filter((e) => e.type === 'deadletter.sent')).toHaveLength(2);
    expect(kafka.handlerErrors()).toEqual([]);
    await consumer.stop();
  });

  it('rebuilds a partition from the compacted inputs on assignment and emits nothing for what was committed', async () => {
    const { kafka, serde, control } = await setup();
    const first = startMember(kafka, serde, control.producer);
    await produce(
      kafka,
      serde,
      KEYS.flatMap((key) => [
        { topic: 'desired' as const, key, value: desiredRecord({ replicas: 5 }, key) },
        { topic: 'observed' as const, key, value: observedRecord({ replicas: 3 }, key) },
      ]),
    );
    await first.consumer.start();
    await kafka.settle();
    await first.consumer.stop();
    expect(first.manager.partitions()).toEqual([]);
    const before = (await driftEvents(kafka, serde)).length;
    expect(before).toBe(KEYS.length * 2);

    const second = startMember(kafka, serde, control.producer);
    await second.consumer.start();
    await second.manager.rebuilt();
    await kafka.settle();
    expect(second.manager.stateSize()).toBe(KEYS.length);
    // Open drifts are known after a rebuild too (the drift.open gauge): one per kind here.
    expect(second.manager.openDriftByKind()).toEqual(
      new Map([
        ['MongoDB', 1],
        ['Postgres', 1],
        ['MySQL', 1],
      ]),
    );
    expect((await driftEvents(kafka, serde)).length).toBe(before);

    const key = KEYS[2] ?? '';
    await produce(kafka, serde, [
      { topic: 'observed', key, value: observedRecord({ replicas: 5, resourceVersion: '101' }, key) },
    ]);
    await kafka.settle();
    const events = await driftEvents(kafka, serde);
    // Resolved, not "opened as orphan": the rebuilt state knew the desired record and the open drift.
    expect(events.slice(before).map((e) => [e.key, e.status, e.keyStatus])).toEqual([
      [key, 'resolved', 'in_sync'],
    ]);
    await second.consumer.stop();
  });

  it('seeds open drifts from the drift topic on a rebuild and resolves one whose resolution was still pending when the owner died', async () => {
    const { kafka, serde, control } = await setup();
    const key = KEYS[0] ?? '';
    const first = startMember(kafka, serde, control.producer);
    await produce(kafka, serde, [
      { topic: 'desired', key, value: desiredRecord({ replicas: 5 }, key) },
      { topic: 'observed', key, value: observedRecord({ replicas: 3 }, key) },
    ]);
    await first.consumer.start();
    await kafka.settle();
    await first.consumer.stop();
    const opened = await driftEvents(kafka, serde);
    expect(opened.at(-1)?.keyStatus).toBe('drifting');

    // The fix arrives; this owner commits it while the resolution waits out a long window, then dies.
    const second = startMember(kafka, serde, control.producer, recordingMetrics(), 3_600_000);
    await second.consumer.start();
    await second.manager.rebuilt();
    await produce(kafka, serde, [
      { topic: 'observed', key, value: observedRecord({ replicas: 5, resourceVersion: '101' }, key) },
    ]);
    await kafka.settle();
    await second.consumer.stop();
    const partition = partitionForKey(key, PARTITIONS);
    expect(kafka.committed(GROUP, topics.observed, partition)).toBe('2');
    expect((await driftEvents(kafka, serde)).length).toBe(opened.length);

    // The next owner rebuilds: the inputs alone say "in sync", the drift topic says "open".
    const third = startMember(kafka, serde, control.producer, recordingMetrics(), 50);
    await third.consumer.start();
    await third.manager.rebuilt();
    let events = await driftEvents(kafka, serde);
    for (let i = 0; i < 200 && events.length === opened.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      events = await driftEvents(kafka, serde);
    }
    expect(events.slice(opened.length).map((e) => [e.key, e.status, e.keyStatus, e.sequence])).toEqual([
      [key, 'resolved', 'in_sync', (opened.at(-1)?.sequence ?? 0) + 1],
    ]);
    expect(third.manager.openDriftByKind()).toEqual(new Map());
    await third.consumer.stop();
  });

  it('commits nothing when the outputs are not acknowledged, and redelivery gives the same event ids', async () => {
    const { kafka, serde, control } = await setup();
    const { consumer } = startMember(kafka, serde, control.producer);
    const key = KEYS[0] ?? '';
    const partition = partitionForKey(key, PARTITIONS);
    control.failNext();
    await produce(kafka, serde, [{ topic: 'desired', key, value: desiredRecord({}, key) }]);
    await consumer.start();
    await kafka.settle();
    expect(kafka.handlerErrors()).toHaveLength(1);
    expect(kafka.committed(GROUP, topics.desired, partition)).toBeNull();
    expect(await driftEvents(kafka, serde)).toEqual([]);

    // The next record wakes the member: the failed batch is redelivered from the committed offset.
    await produce(kafka, serde, [{ topic: 'observed', key, value: observedRecord({ replicas: 1 }, key) }]);
    await kafka.settle();
    const events = await driftEvents(kafka, serde);
    expect(events.map((e) => e.status)).toEqual(['opened', 'changed']);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(2);
    expect(kafka.committed(GROUP, topics.desired, partition)).toBe('1');
    await consumer.stop();
  });

  it('rebuilds the partition when a batch fails after some of its inputs were applied, so redelivery loses no output', async () => {
    const key = KEYS[0] ?? '';
    const run = async (failSecondDecode: boolean) => {
      const { kafka, serde, control } = await setup();
      let desiredDecodes = 0;
      const flaky: Pick<AvroSerde, 'decode' | 'encode'> = {
        encode: (id, value) => serde.encode(id, value),
        decode: async (id, buffer) => {
          if (id === 'desired' && ++desiredDecodes === 2 && failSecondDecode)
            throw new DriftlineError('NETWORK_UNAVAILABLE', 'registry unreachable (test)');
          return serde.decode(id, buffer);
        },
      };
      const { consumer } = startMember(kafka, flaky as AvroSerde, control.producer);
      await produce(kafka, serde, [
        { topic: 'desired', key, value: desiredRecord({ replicas: 3 }, key) },
        { topic: 'desired', key, value: desiredRecord({ replicas: 5 }, key) },
      ]);
      await consumer.start();
      await kafka.settle();
      const failures = kafka.handlerErrors().length;
      // The next record wakes the member: a failed batch is redelivered from the committed offset.
      await produce(kafka, serde, [{ topic: 'observed', key, value: observedRecord({ replicas: 5 }, key) }]);
      await kafka.settle();
      const events = await driftEvents(kafka, serde);
      await consumer.stop();
      return { failures, ids: [...new Set(events.map((e) => e.eventId))] };
    };
    const clean = await run(false);
    const failed = await run(true);
    expect(clean.failures).toBe(0);
    expect(failed.failures).toBe(1);
    expect(failed.ids).toEqual(clean.ids);
  });

  it('holds the batch (no commit, no next batch) while the producer is slow', async () => {
    const { kafka, serde, control } = await setup();
    const { consumer } = startMember(kafka, serde, control.producer);
    const key = KEYS[0] ?? '';
    const partition = partitionForKey(key, PARTITIONS);
    await produce(kafka, serde, [
      { topic: 'desired', key, value: desiredRecord({}, key) },
      { topic: 'observed', key, value: observedRecord({ replicas: 1 }, key) },
    ]);
    control.hold();
    await consumer.start();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(control.calls()).toBe(1);
    expect(kafka.committed(GROUP, topics.desired, partition)).toBeNull();
    expect(kafka.committed(GROUP, topics.observed, partition)).toBeNull();
    control.release();
    await kafka.settle();
    expect(control.calls()).toBe(2);
    expect(kafka.committed(GROUP, topics.observed, partition)).toBe('1');
    await consumer.stop();
  });

  it('drops a partition’s state on revocation', async () => {
    const { kafka, serde, control } = await setup();
    const { manager, consumer } = startMember(kafka, serde, control.producer);
    await produce(kafka, serde, [
      { topic: 'desired', key: KEYS[0] ?? '', value: desiredRecord({}, KEYS[0]) },
    ]);
    await consumer.start();
    await kafka.settle();
    expect(manager.partitions()).toEqual([0, 1, 2]);
    expect(manager.stateSize()).toBe(1);
    manager.onRevoked([{ topic: topics.desired, partition: partitionForKey(KEYS[0] ?? '', PARTITIONS) }]);
    expect(manager.stateSize()).toBe(0);
    expect(manager.partitions()).toHaveLength(2);
    await consumer.stop();
  });

  it('splits outputs into produce requests the broker accepts, keeping their order', () => {
    const record = (i: number) => ({ topic: 't', key: `k${i}`, value: Buffer.alloc(100_000) });
    const records = Array.from({ length: 12 }, (_, i) => record(i));
    const chunks = chunksOf(records);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat().map((r) => r.key)).toEqual(records.map((r) => r.key));
    for (const chunk of chunks)
      expect(chunk.reduce((n, r) => n + (r.value?.length ?? 0), 0)).toBeLessThanOrEqual(512 * 1024);
    expect(chunksOf([])).toEqual([]);
  });

  it('emits nothing for a partition until its rebuild is done, and reports not ready meanwhile', async () => {
    const { kafka, serde, control } = await setup();
    const first = startMember(kafka, serde, control.producer);
    const key = KEYS[0] ?? '';
    await produce(kafka, serde, [{ topic: 'desired', key, value: desiredRecord({ replicas: 5 }, key) }]);
    await first.consumer.start();
    await kafka.settle();
    await first.consumer.stop();
    const before = (await driftEvents(kafka, serde)).length;

    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inner = inMemoryCompactedReader((topic) => kafka.records(topic));
    const readiness: boolean[] = [];
    const manager = new PartitionManager({
      groupId: GROUP,
      topics,
      config: { persistMs: 0, convergenceGraceMs: 0, staleAfterMs: 60_000 },
      serde,
      producer: control.producer,
      admin: kafka.admin,
      reader: { latest: async (read) => gate.then(() => inner.latest(read)) },
      health: new HealthTable(),
      logger,
      onReadinessChange: (ready) => readiness.push(ready),
    });
    const consumer = kafka.consumer({
      groupId: GROUP,
      topics: [topics.desired, topics.observed],
      handler: manager.handle,
      onAssigned: manager.onAssigned,
      onRevoked: manager.onRevoked,
    });
    await consumer.start();
    await produce(kafka, serde, [{ topic: 'observed', key, value: observedRecord({ replicas: 5 }, key) }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(manager.ready()).toBe(false);
    expect(readiness).toEqual([false]);
    expect((await driftEvents(kafka, serde)).length).toBe(before);

    release();
    await manager.rebuilt();
    await kafka.settle();
    expect(manager.ready()).toBe(true);
    expect(readiness).toEqual([false, true]);
    // With the rebuilt desired record the observed one resolves the `missing` drift.
    expect((await driftEvents(kafka, serde)).slice(before).map((e) => e.status)).toEqual(['resolved']);
    await consumer.stop();
  });

  it('sends what queued up while a send was in flight in one produce request, in order', async () => {
    const { kafka, serde, control } = await setup();
    const { manager } = startMember(kafka, serde, control.producer);
    const keys = ['g/ns/MongoDB/one', 'g/ns/MongoDB/two', 'g/ns/MongoDB/three'];
    const batches = await Promise.all(
      keys.map(async (key, i) => ({
        topic: topics.desired,
        partition: partitionForKey(key, PARTITIONS),
        highWatermark: '1',
        records: [
          {
            topic: topics.desired,
            partition: partitionForKey(key, PARTITIONS),
            offset: String(i),
            key,
            value: await serde.encode('desired', desiredRecord({}, key)),
            headers: {},
            timestampMs: 1,
          },
        ],
      })),
    );
    const context = {
      signal: new AbortController().signal,
      heartbeat: async () => undefined,
      pause: () => () => undefined,
    };
    control.hold();
    const first = manager.handle(batches[0] as never, context);
    await manager.rebuilt();
    while (control.calls() === 0) await new Promise((resolve) => setImmediate(resolve));
    const rest = [manager.handle(batches[1] as never, context), manager.handle(batches[2] as never, context)];
    await manager.rebuilt();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    control.release();
    await Promise.all([first, ...rest]);
    expect(control.calls()).toBe(2);
    const events = await driftEvents(kafka, serde);
    expect(events.map((e) => e.key)).toEqual(expect.arrayContaining(keys));
    expect(events).toHaveLength(3);
  });
});
