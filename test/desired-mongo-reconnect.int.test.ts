import type { DesiredDatabase } from '@driftline/schemas';
import { MongoClient, ObjectId } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import {
  environmentFor,
  eventually,
  latestByKey,
  readTopic,
  startDesired,
  uniqueNames,
  type DesiredProcess,
} from '../services/desired/src/testing/process-harness.ts';
import { freePort, startPrivateMongo, type PrivateMongo } from './support/private-mongo.ts';
import { stackEndpoints } from './support/stack.ts';

async function readyz(port: number): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
  } catch {
    return -1;
  }
}

describe('desired: MongoDB unreachable, then back', () => {
  const stack = stackEndpoints();
  const names = uniqueNames('desired_reconnect');
  let service: DesiredProcess | undefined;
  let mongo: PrivateMongo | undefined;

  afterAll(async () => {
    await service?.kill('SIGTERM');
    await mongo?.stop();
  });

  it('keeps readiness red and retries with backoff while MongoDB is down, then snapshots and streams', async () => {
    const port = await freePort();
    const mongoUrl = `mongodb://127.0.0.1:${port}/?directConnection=true&serverSelectionTimeoutMS=2000`;
    service = startDesired(
      environmentFor({ ...stack, mongoUrl }, names, {
        DESIRED_RESTART_INITIAL_DELAY_MS: '200',
        DESIRED_RESTART_MAX_DELAY_MS: '2000',
      }),
    );
    const opsLine = await service.waitForLine(/ops server listening/);
    const opsPort = Number(/"opsPort":(\d+)/.exec(opsLine)?.[1]);
    await service.waitForLine(/MongoDB unreachable: retrying/);
    expect(await readyz(opsPort)).toBe(503);
    await service.waitForLine(/"attempt":2.*MongoDB unreachable: retrying/);
    expect(await readyz(opsPort)).toBe(503);

    mongo = await startPrivateMongo(port);
    const client = new MongoClient(mongoUrl);
    await client.connect();
    await client.db(names.database).collection('databases').insertOne({
      _id: new ObjectId(),
      provider: 'prov-1',
      namespace: 'reconnect',
      kind: 'MongoDB',
      name: 'back',
      version: '7.0',
      replicas: 1,
    });
    await client.close();
    await eventually(
      async () =>
        latestByKey(await readTopic<DesiredDatabase>(stack, names.desiredTopic, 'desired')).has(
          'prov-1/reconnect/MongoDB/back',
        ),
      () => service?.lines.slice(-8).join('\n') ?? '',
      90_000,
    );
    await eventually(
      async () => (await readyz(opsPort)) === 200,
      async () => `readyz ${await readyz(opsPort)}`,
    );
  });
});
