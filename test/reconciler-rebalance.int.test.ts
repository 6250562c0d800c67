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

const KEYS = 1_000;
const PARTITIONS = 4;

/** partitionsIn lists the partition numbers a process logged `message` for, in order. */
function partitionsIn(service: ChildService, message: string): number[] {
  return service.lines.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as { msg?: string; partition?: number };
      return entry.msg === message && typeof entry.partition === 'number' ? [entry.partition] : [];
    } catch {
      return [];
    }
  });
}

describe('reconciler: two instances split the partitions and a rebalance keeps the output exact', () => {
  const stack = stackEndpoints();
  const names = uniqueNames('rec-rebalance');
  const env = environmentFor(stack, names);
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

  it('moves partitions with their rebuilt state: deduplicated by id, the output is exactly the expected set', async () => {
    const desired: InputRecord[] = [];
    const waveA: InputRecord[] = [];
    const waveB: InputRecord[] = [];
    for (let i = 0; i < KEYS; i++) {
      desired.push({ side: 'desired', key: databaseKey(i), value: desiredFor(i, i % 3 === 0 ? 5 : 3) });
      waveA.push({ side: 'observed', key: databaseKey(i), value: observedFor(i, i % 2 === 0 ? 4 : 3, 100) });
      waveB.push({ side: 'observed', key: databaseKey(i), value: observedFor(i, i % 3 === 0 ? 5 : 2, 200) });
    }
    const afterA = expectedOutputs([...desired, ...waveA]);
    const expected = expectedOutputs([...desired, ...waveA, ...waveB]);
    const distinctIds = async () =>
      new Set((await readTopic(connection, names.topics.drift, 'drift')).map((d) => d.value?.eventId)).size;

    const a = startReconciler(env);
    processes.push(a);
    await a.waitForLine(/reconciler started/);
    await produceInputs(connection, names, desired);
    await eventually(
      async () => (await distinctIds()) >= KEYS,
      async () => `${await distinctIds()} drift events`,
    );

    // B joins: the group splits the partitions; A drops what it gives away, B rebuilds it.
    const b = startReconciler(env);
    processes.push(b);
    // The co-partitioned assigner gives each of two members every other partition number.
    await eventually(
      async () =>
        partitionsIn(b, 'partition state rebuilt').length === PARTITIONS / 2 &&
        partitionsIn(a, 'partition state dropped').length === PARTITIONS / 2,
      () =>
        `B rebuilt ${partitionsIn(b, 'partition state rebuilt')}, A dropped ${partitionsIn(a, 'partition state dropped')}`,
    );
    const ownedByB = new Set(partitionsIn(b, 'partition state rebuilt'));
    expect(new Set(partitionsIn(a, 'partition state dropped'))).toEqual(ownedByB);

    await produceInputs(connection, names, waveA);
    await eventually(
      async () => (await distinctIds()) >= afterA.driftEventIds.size,
      async () => `${await distinctIds()} of ${afterA.driftEventIds.size}`,
      90_000,
    );

    // A leaves: B takes every partition, rebuilding A's from the compacted inputs.
    await a.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    await produceInputs(connection, names, waveB);
    await eventually(
      async () => (await distinctIds()) >= expected.driftEventIds.size,
      async () => `${await distinctIds()} of ${expected.driftEventIds.size}`,
      90_000,
    );
    expect(new Set(partitionsIn(b, 'partition state rebuilt'))).toEqual(new Set([0, 1, 2, 3]));
    const drift = await readTopic(connection, names.topics.drift, 'drift');
    expect(new Set(drift.map((d) => d.value?.eventId))).toEqual(expected.driftEventIds);
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
  });
});
