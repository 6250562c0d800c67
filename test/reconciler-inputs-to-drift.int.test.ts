import type { DeadLetter } from '@driftline/schemas';
import { loadConfig } from '@driftline/shared/config';
import { partitionForKey } from '@driftline/shared/kafka';
import { createLogger } from '@driftline/shared/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../services/reconciler/src/config.ts';
import { startReconcilerService, type ReconcilerService } from '../services/reconciler/src/service.ts';
import {
  connect,
  databaseKey,
  desiredFor,
  environmentFor,
  eventually,
  expectedOutputs,
  observedFor,
  produceInputs,
  provision,
  readTopic,
  uniqueNames,
  type Connection,
  type InputRecord,
} from './bench/reconciler-kafka-harness.ts';
import { stackEndpoints } from './support/stack.ts';

const KEYS = 30;
const PARTITIONS = 3;

describe('reconciler: desired and observed records through to drift events and operations', () => {
  const stack = stackEndpoints();
  const names = uniqueNames('rec-e2e');
  let connection: Connection;
  let service: ReconcilerService | undefined;

  beforeAll(async () => {
    connection = await connect(stack, names);
    await provision(connection.kafka, names, PARTITIONS);
  });

  afterAll(async () => {
    await service?.stop();
    await connection?.close();
  });

  it('emits the drift events and operations the core computes, in the key’s partition, and dead-letters bad input', async () => {
    const config = loadConfig(configSchema, environmentFor(stack, names));
    service = await startReconcilerService({
      config,
      logger: createLogger({ service: 'reconciler', level: 'warn' }),
    });
    const opsPort = service.opsPort;
    await eventually(
      async () => (await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status === 200,
      async () => (await fetch(`http://127.0.0.1:${opsPort}/readyz`)).text(),
    );

    const desired: InputRecord[] = [];
    const observed: InputRecord[] = [];
    for (let i = 0; i < KEYS; i++) {
      desired.push({ side: 'desired', key: databaseKey(i), value: desiredFor(i, i % 3 === 0 ? 5 : 3) });
      observed.push({ side: 'observed', key: databaseKey(i), value: observedFor(i, 3, 100 + i) });
    }
    const expected = expectedOutputs([...desired, ...observed]);
    // Desired first, and only once every key is `missing`, so the interleaving is the expected one.
    await produceInputs(connection, names, desired);
    await eventually(
      async () => (await readTopic(connection, names.topics.drift, 'drift')).length >= KEYS,
      async () => `${(await readTopic(connection, names.topics.drift, 'drift')).length} drift events`,
    );
    await connection.producer.send([
      { topic: names.topics.observed, key: databaseKey(0), value: Buffer.from('not avro at all') },
      { topic: names.topics.desired, key: 'not-a-database-key', value: Buffer.from('x') },
    ]);
    await produceInputs(connection, names, observed);

    await eventually(
      async () =>
        (await readTopic(connection, names.topics.drift, 'drift')).length >= expected.driftEventIds.size,
      async () => `${(await readTopic(connection, names.topics.drift, 'drift')).length} drift events`,
    );
    const drift = await readTopic(connection, names.topics.drift, 'drift');
    expect(new Set(drift.map((d) => d.value?.eventId))).toEqual(expected.driftEventIds);
    const drifting = drift.filter((d) => d.value?.keyStatus === 'drifting').map((d) => d.record.key);
    expect(drifting.sort()).toEqual(
      Array.from({ length: KEYS }, (_, i) => i)
        .filter((i) => i % 3 === 0)
        .map(databaseKey)
        .sort(),
    );

    await eventually(
      async () =>
        (await readTopic(connection, names.topics.operations, 'operations')).length >=
        expected.operationIds.size,
      () => 'operations',
    );
    const operations = await readTopic(connection, names.topics.operations, 'operations');
    expect(new Set(operations.map((o) => o.value?.operationId))).toEqual(expected.operationIds);
    expect(
      operations.every((o) => o.value?.type === 'HorizontalScaling' && o.value.spec.replicas === 5),
    ).toBe(true);

    for (const { record } of [...drift, ...operations]) {
      expect(record.partition).toBe(partitionForKey(record.key ?? '', PARTITIONS));
    }

    await eventually(
      async () => (await readTopic(connection, names.topics.deadletter, 'deadletter')).length >= 2,
      () => 'dead letters',
    );
    const letters = (await readTopic(connection, names.topics.deadletter, 'deadletter'))
      .map((d) => d.value)
      .filter((l): l is DeadLetter => l !== null);
    expect(letters.map((l) => [l.originalTopic, l.errorCode]).sort()).toEqual(
      [
        [names.topics.desired, 'KEY_INVALID'],
        [names.topics.observed, 'SERDE_FAILED'],
      ].sort(),
    );
    const metricsText = async () => (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    // Ten drifting keys, spread over the four kinds of databaseKey(i): i = 0, 3, ..., 27.
    await eventually(
      async () => /driftline_drift_open\{[^}]*kind="MongoDB"[^}]*\} 3\b/.test(await metricsText()),
      async () =>
        (await metricsText())
          .split('\n')
          .filter((l) => l.includes('drift_open'))
          .join('\n'),
    );
    const metrics = await metricsText();
    expect(metrics).toMatch(/deadletter/);
    expect(metrics).toMatch(/driftline_operations_created_total\{[^}]*HorizontalScaling/);
  });
});
