import type { DeadLetter, DesiredDatabase, ProviderRecord } from '@driftline/schemas';
import { openCredentials, createKeyring } from '@driftline/shared/credentials';
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

const CANARY = `canary-token-${Math.random().toString(36).slice(2)}`;
const N = 300;

const database = (name: string, replicas = 1) => ({
  _id: new ObjectId(),
  provider: 'prov-1',
  namespace: 'team-a',
  kind: 'MongoDB',
  name,
  version: '7.0.4',
  replicas,
  storage: '10Gi',
  resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: 1, memory: '2Gi' } },
});

describe('desired: snapshot then stream', () => {
  const stack = stackEndpoints();
  const names = uniqueNames('desired_snap');
  let client: MongoClient;
  let db: Db;
  let service: DesiredProcess | undefined;

  beforeAll(async () => {
    client = new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
    db = client.db(names.database);
    await db.collection('providers').insertOne({
      _id: new ObjectId(),
      id: 'prov-1',
      server: 'https://k8s.example:6443',
      credentials: { token: CANARY },
    });
    await db.collection('databases').insertMany(Array.from({ length: N }, (_, i) => database(`db-${i}`)));
    service = startDesired(environmentFor(stack, names, { DESIRED_SNAPSHOT_PAGE_COUNT: '50' }));
    await service.waitForLine(/"collection":"databases".*snapshot completed/);
  });

  afterAll(async () => {
    await service?.kill('SIGTERM');
    await db?.dropDatabase().catch(() => undefined);
    await client?.close();
  });

  it('publishes every document of the snapshot, keyed by database key', async () => {
    const records = await readTopic<DesiredDatabase>(stack, names.desiredTopic, 'desired');
    const table = latestByKey(records);
    expect(table.size).toBe(N);
    const first = table.get('prov-1/team-a/MongoDB/db-0');
    expect(first).toMatchObject({
      provider: 'prov-1',
      kind: 'MongoDB',
      replicas: 1,
      storage: '10Gi',
      resources: { cpuRequest: '500m', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '2Gi' },
      halted: false,
    });
    expect(records.every((r) => r.headers['driftline-source'] === 'snapshot')).toBe(true);
    expect(records.every((r) => r.headers['driftline-resync-id'] === undefined)).toBe(true);
  });

  it('round-trips live inserts, replaces and deletes (tombstones)', async () => {
    const collection = db.collection('databases');
    const fresh = database('live-1');
    await collection.insertOne(fresh);
    await collection.replaceOne({ _id: fresh._id }, { ...database('live-1', 5), _id: fresh._id });
    const gone = await collection.findOne({ name: 'db-1' });
    await collection.deleteOne({ _id: gone?._id });
    await collection.updateOne({ name: 'db-2' }, { $set: { replicas: 7, version: '7.0.5' } });
    await eventually(
      async () => {
        const table = latestByKey(await readTopic<DesiredDatabase>(stack, names.desiredTopic, 'desired'));
        return (
          table.get('prov-1/team-a/MongoDB/live-1')?.replicas === 5 &&
          !table.has('prov-1/team-a/MongoDB/db-1') &&
          table.get('prov-1/team-a/MongoDB/db-2')?.replicas === 7
        );
      },
      () => service?.lines.slice(-10).join('\n') ?? '',
    );
    const records = await readTopic<DesiredDatabase>(stack, names.desiredTopic, 'desired');
    const tombstone = records.find((r) => r.key === 'prov-1/team-a/MongoDB/db-1' && r.value === null);
    expect(tombstone?.headers['driftline-source']).toBe('stream');
    const live = records.filter((r) => r.key === 'prov-1/team-a/MongoDB/live-1' && r.value !== null);
    // Ordering fields: cluster time "t.i" and generations never decrease along the key's records.
    const generations = live.map((r) => r.value?.generation ?? -1);
    expect([...generations].sort((a, b) => a - b)).toEqual(generations);
    expect(live.every((r) => /^\d+\.\d+$/.test(r.value?.clusterTime ?? ''))).toBe(true);
  });

  it('dead-letters malformed and oversize documents and carries on', async () => {
    const collection = db.collection('databases');
    await collection.insertOne({
      _id: new ObjectId(),
      provider: 'prov-1',
      namespace: 'team-a',
      kind: 'MongoDB',
      name: 'BAD NAME',
      version: '1',
      replicas: -2,
    });
    await collection.insertOne({ ...database('huge'), padding: 'x'.repeat(70_000) });
    await collection.insertOne(database('after-bad'));
    await eventually(
      async () =>
        latestByKey(await readTopic<DesiredDatabase>(stack, names.desiredTopic, 'desired')).has(
          'prov-1/team-a/MongoDB/after-bad',
        ),
      () => 'after-bad never published',
    );
    const letters = await readTopic<DeadLetter>(stack, names.deadletterTopic, 'deadletter');
    const reasons = letters.map((l) => l.value?.errorMessage ?? '');
    expect(
      reasons.some((m) => m.startsWith('invalid:') && m.includes('name') && m.includes('replicas')),
    ).toBe(true);
    expect(reasons.some((m) => m.startsWith('oversize:'))).toBe(true);
    expect(letters.every((l) => l.value?.originalTopic === `mongodb:${names.database}.databases`)).toBe(true);
    const oversize = letters.find((l) => l.value?.errorMessage.startsWith('oversize:'));
    expect(oversize?.value?.value).toBeNull();
    const table = latestByKey(await readTopic<DesiredDatabase>(stack, names.desiredTopic, 'desired'));
    expect(table.has('prov-1/team-a/MongoDB/huge')).toBe(false);
  });

  it('publishes provider credentials only sealed, and never logs them', async () => {
    const providers = await readTopic<ProviderRecord>(stack, names.providersTopic, 'providers');
    const provider = latestByKey(providers).get('prov-1');
    expect(provider?.credentials?.algorithm).toBe('AES-256-GCM');
    const keyring = createKeyring('k1', names.credentialsKey);
    const sealed = provider?.credentials;
    if (sealed === null || sealed === undefined)
      throw new Error('provider published without sealed credentials');
    expect(openCredentials(keyring, 'prov-1', sealed)).toEqual({ token: CANARY });
    // A provider with invalid fields is dead-lettered with its credentials redacted.
    await db.collection('providers').insertOne({
      _id: new ObjectId(),
      id: 'prov-bad',
      server: 'ftp://nope',
      credentials: { token: CANARY },
    });
    await eventually(
      async () =>
        (await readTopic<DeadLetter>(stack, names.deadletterTopic, 'deadletter')).some((l) =>
          l.value?.originalTopic.endsWith('.providers'),
        ),
      () => 'provider dead letter missing',
    );
    const everything = [
      ...providers,
      ...(await readTopic(stack, names.deadletterTopic, 'deadletter')),
      ...(await readTopic(stack, names.desiredTopic, 'desired')),
    ];
    for (const record of everything) {
      expect(record.raw?.toString('latin1') ?? '').not.toContain(CANARY);
      expect(JSON.stringify(record.headers)).not.toContain(CANARY);
    }
    expect(service?.lines.length).toBeGreaterThan(10);
    for (const line of service?.lines ?? []) expect(line).not.toContain(CANARY);
  });
});
