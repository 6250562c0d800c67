import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftEvent } from '@driftline/schemas';
import { driftSetDigest, driftSetOf } from '../services/reconciler/src/output-hash.ts';
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
  runReplay,
  startReconciler,
  uniqueNames,
  type Connection,
  type InputRecord,
} from './bench/reconciler-kafka-harness.ts';
import { stackEndpoints } from './support/stack.ts';
import type { ChildService } from '@driftline/shared/testing';

const KEYS = 300;
const PARTITIONS = 3;

describe('reconciler: replay from the start of the inputs gives the same drift set', () => {
  const stack = stackEndpoints();
  const names = uniqueNames('rec-replay');
  const replayNames = {
    topics: {
      ...names.topics,
      drift: `${names.topics.drift}-replayed`,
      operations: `${names.topics.operations}-replayed`,
    },
    groupId: `${names.groupId}-replayed`,
  };
  const env = environmentFor(stack, names);
  let connection: Connection;
  const processes: ChildService[] = [];

  beforeAll(async () => {
    connection = await connect(stack, names);
    await provision(connection.kafka, names, PARTITIONS);
    await provision(connection.kafka, replayNames, PARTITIONS);
  });

  afterAll(async () => {
    for (const p of processes) await p.kill('SIGTERM');
    await connection?.close();
  });

  const driftSet = async (topic: string) =>
    driftSetOf(
      (await readTopic(connection, topic, 'drift')).flatMap((d) => (d.value === null ? [] : [d.value])),
    );

  it('a fresh consumer group and the replay command both rebuild the drift set on the topic; a tampered topic is caught', async () => {
    const inputs: InputRecord[] = [];
    for (let i = 0; i < KEYS; i++)
      inputs.push({ side: 'desired', key: databaseKey(i), value: desiredFor(i, i % 3 === 0 ? 5 : 3) });
    const desiredOnly = [...inputs];
    for (let i = 0; i < KEYS; i++)
      inputs.push({ side: 'observed', key: databaseKey(i), value: observedFor(i, i % 4 === 0 ? 1 : 3, 100) });
    const expected = expectedOutputs(inputs);

    const live = startReconciler(env);
    processes.push(live);
    await live.waitForLine(/reconciler started/);
    await produceInputs(connection, names, desiredOnly);
    await eventually(
      async () => (await readTopic(connection, names.topics.drift, 'drift')).length >= KEYS,
      () => 'missing events',
    );
    await produceInputs(connection, names, inputs.slice(KEYS));
    await eventually(
      async () =>
        new Set((await readTopic(connection, names.topics.drift, 'drift')).map((d) => d.value?.eventId))
          .size >= expected.driftEventIds.size,
      () => 'drift events',
    );
    const current = await driftSet(names.topics.drift);
    expect(driftSetDigest(current)).toBe(driftSetDigest(expected.driftSet));
    await live.kill('SIGTERM');

    // Replay in a fresh consumer group: from the start of the inputs, into a second drift topic.
    const replayed = startReconciler(environmentFor(stack, replayNames));
    processes.push(replayed);
    // The set reaches its size before its last values (a key may first surface as missing or
    // orphan while the other side is still being read), so wait for the digest itself; a replay
    // that never converges to the same set still fails here.
    await eventually(
      async () => driftSetDigest(await driftSet(replayNames.topics.drift)) === driftSetDigest(current),
      async () =>
        `${(await driftSet(replayNames.topics.drift)).size} of ${current.size} keys, digest differs`,
    );
    await replayed.kill('SIGTERM');

    // The operator's command: equal, one line per drifting key, exit 0.
    const check = await runReplay(env);
    expect(check.code, check.lines.join('\n')).toBe(0);
    expect(check.lines.filter((l) => l.startsWith('equal ')).length).toBe(current.size);
    expect(check.lines.some((l) => l.startsWith('EQUAL:'))).toBe(true);
    expect(check.lines.some((l) => /reading inputs: \d+\/\d+ records/.test(l))).toBe(true);

    // Tamper with the drift topic: a different drift for one key must be reported, exit 1.
    const drift = await readTopic(connection, names.topics.drift, 'drift');
    const victim = drift.find((d) => d.value?.keyStatus === 'drifting')?.value;
    expect(victim).toBeDefined();
    const forged: DriftEvent = { ...(victim as DriftEvent), eventId: 'forged', fingerprint: 'f'.repeat(64) };
    await connection.producer.send([
      { topic: names.topics.drift, key: forged.key, value: await connection.serde.encode('drift', forged) },
    ]);
    const tampered = await runReplay(env, ['--quiet']);
    expect(tampered.code, tampered.lines.join('\n')).toBe(1);
    expect(tampered.lines.filter((l) => l.startsWith('different '))).toEqual([
      expect.stringContaining(`different ${forged.key} `),
    ]);
    expect(tampered.lines.some((l) => l.startsWith('DIFFERENT:'))).toBe(true);
  });
});
