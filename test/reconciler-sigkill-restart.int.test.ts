import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  startReconciler,
  uniqueNames,
  type Connection,
  type InputRecord,
} from './bench/reconciler-kafka-harness.ts';
import { stackEndpoints } from './support/stack.ts';
import type { ChildService } from '@driftline/shared/testing';

const KEYS = 3_000;
const PARTITIONS = 3;

describe('reconciler: SIGKILL mid-stream and restart', () => {
  const stack = stackEndpoints();
  const names = uniqueNames('rec-kill');
  // Small fetches: many batches, so the kill lands between a produce and its commit.
  const env = environmentFor(stack, names, { RECONCILER_FETCH_MAX_BYTES: '16384' });
  let connection: Connection;
  const processes: ChildService[] = [];

  beforeAll(async () => {
    connection = await connect(stack, names);
    await provision(connection.kafka, names, PARTITIONS);
  });

  afterAll(async () => {
    for (const p of processes) await p.kill('SIGTERM');
    await connection?.close();
  });

  it('misses no drift event and adds none: deduplicated by id, the output is exactly the expected set', async () => {
    const desired: InputRecord[] = [];
    const waveA: InputRecord[] = [];
    const waveB: InputRecord[] = [];
    for (let i = 0; i < KEYS; i++) {
      desired.push({ side: 'desired', key: databaseKey(i), value: desiredFor(i, i % 3 === 0 ? 5 : 3) });
      waveA.push({ side: 'observed', key: databaseKey(i), value: observedFor(i, i % 2 === 0 ? 4 : 3, 100) });
      waveB.push({ side: 'observed', key: databaseKey(i), value: observedFor(i, i % 3 === 0 ? 5 : 2, 200) });
    }
    const expected = expectedOutputs([...desired, ...waveA, ...waveB]);
    const driftCount = async () => (await readTopic(connection, names.topics.drift, 'drift')).length;

    const first = startReconciler(env);
    processes.push(first);
    await first.waitForLine(/reconciler started/);
    await produceInputs(connection, names, desired);
    await eventually(
      async () => (await driftCount()) >= KEYS,
      async () => `${await driftCount()} drift events`,
    );

    // Wave A flows in while the reconciler works through it; kill -9 once its outputs appear.
    const producing = produceInputs(connection, names, waveA, 100);
    await eventually(
      async () => (await driftCount()) > KEYS + 100,
      async () => `${await driftCount()} drift events`,
    );
    await first.kill('SIGKILL');
    expect(first.child.signalCode).toBe('SIGKILL');
    await producing;
    const atKill = await driftCount();
    await produceInputs(connection, names, waveB);

    const second = startReconciler(env);
    processes.push(second);
    await second.waitForLine(/reconciler started/);
    await eventually(
      async () => {
        const ids = new Set(
          (await readTopic(connection, names.topics.drift, 'drift')).map((d) => d.value?.eventId),
        );
        return ids.size >= expected.driftEventIds.size;
      },
      async () => `${await driftCount()} drift events, expected ${expected.driftEventIds.size} distinct`,
      90_000,
    );
    const drift = await readTopic(connection, names.topics.drift, 'drift');
    const ids = new Set(drift.map((d) => d.value?.eventId));
    expect(ids.size).toBe(expected.driftEventIds.size);
    expect(ids).toEqual(expected.driftEventIds);
    expect(atKill).toBeLessThan(drift.length);

    await eventually(
      async () =>
        new Set(
          (await readTopic(connection, names.topics.operations, 'operations')).map(
            (o) => o.value?.operationId,
          ),
        ).size >= expected.operationIds.size,
      () => 'operations',
    );
    const operations = await readTopic(connection, names.topics.operations, 'operations');
    expect(new Set(operations.map((o) => o.value?.operationId))).toEqual(expected.operationIds);
    await second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
