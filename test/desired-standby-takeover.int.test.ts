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

const database = (name: string) => ({
  _id: new ObjectId(),
  provider: 'prov-1',
  namespace: 'ha',
  kind: 'Redis',
  name,
  version: '7.2',
  replicas: 1,
});

describe('desired: one active publisher, standby takes over', () => {
  const stack = stackEndpoints();
  const names = uniqueNames('desired_ha');
  const env = environmentFor(stack, names);
  let client: MongoClient;
  let db: Db;
  const processes: DesiredProcess[] = [];

  beforeAll(async () => {
    client = new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
    db = client.db(names.database);
  });

  afterAll(async () => {
    for (const p of processes) await p.kill('SIGTERM');
    await db?.dropDatabase().catch(() => undefined);
    await client?.close();
  });

  const keys = async () =>
    latestByKey(await readTopic<DesiredDatabase>(stack, names.desiredTopic, 'desired'));

  it('publishes from the lease holder only, and from the standby once the holder is killed', async () => {
    const active = startDesired(env);
    processes.push(active);
    await active.waitForLine(/lease acquired: publishing/);
    const standby = startDesired(env);
    processes.push(standby);
    await standby.waitForLine(/desired service started/);
    await db.collection('databases').insertOne(database('before'));
    await eventually(
      async () => (await keys()).has('prov-1/ha/Redis/before'),
      () => 'before missing',
    );
    expect(standby.lines.some((l) => l.includes('lease acquired'))).toBe(false);
    expect(standby.lines.some((l) => l.includes('snapshot started'))).toBe(false);

    await active.kill('SIGKILL');
    for (const name of ['after-1', 'after-2', 'after-3'])
      await db.collection('databases').insertOne(database(name));
    await standby.waitForLine(/lease acquired: publishing/, 60_000);
    await eventually(
      async () => {
        const table = await keys();
        return ['after-1', 'after-2', 'after-3'].every((n) => table.has(`prov-1/ha/Redis/${n}`));
      },
      () => standby.lines.slice(-10).join('\n'),
    );
    // The standby continued from the stored position rather than snapshotting again.
    expect(standby.lines.some((l) => l.includes('snapshot started'))).toBe(false);
  });
});
