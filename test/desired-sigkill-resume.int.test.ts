import type { DesiredDatabase } from '@driftline/schemas';
import { MongoClient, ObjectId, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  environmentFor,
  eventually,
  latestByKey,
  readTopic,
  startDesired,
  uniqueNames,
  type DesiredProcess,
} from '../services/desired/src/testing/process-harness.ts';
import { stackEndpoints } from './support/stack.ts';

const TOTAL = 400;
const BATCH = 50;

const database = (name: string, replicas: number) => ({
  _id: new ObjectId(),
  provider: 'prov-1',
  namespace: 'crash',
  kind: 'Postgres',
  name,
  version: '16.2',
  replicas,
});

describe('desired: SIGKILL between a change and its publish', () => {
  const stack = stackEndpoints();
  const names = uniqueNames('desired_kill');
  const env = environmentFor(stack, names, { DESIRED_BATCH_MAX_COUNT: String(BATCH) });
  let client: MongoClient;
  let db: Db;
  const processes: DesiredProcess[] = [];

  beforeAll(async () => {
    client = new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
    db = client.db(names.database);
    await db.collection('databases').insertOne(database('seed', 1));
  });

  afterAll(async () => {
    for (const p of processes) await p.kill('SIGTERM');
    await db?.dropDatabase().catch(() => undefined);
    await client?.close();
  });

  it('loses no change across kill -9 and restart, and repeats at most the batch in flight', async () => {
    const first = startDesired(env);
    processes.push(first);
    await first.waitForLine(/"collection":"databases".*change stream opened/);
    const collection = db.collection('databases');
    // Writes keep flowing while the service is killed mid-stream and while it is down.
    for (let i = 0; i < TOTAL; i++) {
      await collection.insertOne(database(`db-${i}`, 1));
      if (i % 4 === 0) await collection.updateOne({ name: `db-${i}` }, { $set: { replicas: 3 } });
      if (i === TOTAL / 4) {
        // Wait until some records are on the topic, so the kill lands mid-stream, then kill -9.
        await eventually(
          async () => (await readTopic(stack, names.desiredTopic, 'desired')).length > 20,
          () => first.lines.slice(-5).join('\n'),
        );
        await first.kill('SIGKILL');
      }
    }
    expect(first.child.signalCode).toBe('SIGKILL');
    const second = startDesired(env);
    processes.push(second);
    await eventually(
      async () =>
        latestByKey(await readTopic<DesiredDatabase>(stack, names.desiredTopic, 'desired')).size ===
        TOTAL + 1,
      async () => `have ${latestByKey(await readTopic(stack, names.desiredTopic, 'desired')).size} keys`,
      90_000,
    );
    const records = await readTopic<DesiredDatabase>(stack, names.desiredTopic, 'desired');
    const table = latestByKey(records);
    for (let i = 0; i < TOTAL; i++) {
      expect(table.get(`prov-1/crash/Postgres/db-${i}`)?.replicas, `db-${i}`).toBe(i % 4 === 0 ? 3 : 1);
    }
    // The restart resumed from the stored position: no second snapshot ...
    expect(second.lines.some((l) => l.includes('snapshot started'))).toBe(false);
    expect(
      second.lines.some((l) =>
        /change stream opened.*resume token|resume token.*change stream opened/.test(l),
      ),
    ).toBe(true);
    // ... and repeated at most what was in flight: the events are the seed, TOTAL inserts, TOTAL/4
    // updates; a replay beyond one batch (plus the snapshot's own replay window) would exceed this.
    const changes = 1 + TOTAL + TOTAL / 4;
    expect(records.length).toBeLessThanOrEqual(changes + 2 * BATCH);
  });
});
