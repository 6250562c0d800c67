import { MongoClient, MongoServerError, type ResumeToken } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startPrivateMongo, type PrivateMongo } from './support/private-mongo.ts';

const OPLOG_MAX_ENTRIES = 20;

// The shared stack's oplog is capped high (MONGO_OPLOG_MAX_ENTRIES, 100000), so this test starts
// its own Mongo-compatible server with a tiny cap (and stops it): resuming from a token whose
// oplog entries were truncated must fail with 286 ChangeStreamHistoryLost, as on a replica set.
describe('change streams after oplog roll-over', () => {
  let server: PrivateMongo | undefined;
  let client: MongoClient;

  beforeAll(async () => {
    server = await startPrivateMongo(await freePort(), { oplogMaxEntries: OPLOG_MAX_ENTRIES });
    client = new MongoClient(server.url, { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('fails a resume from a truncated position with 286, while a token still in the oplog resumes', async () => {
    const collection = client.db('rollover').collection<{ _id: number }>('databases');
    const stream = collection.watch([], { maxAwaitTimeMS: 200 });
    expect(await stream.tryNext()).toBeNull();
    await collection.insertOne({ _id: 0 });
    let first = null;
    while (first === null) first = await stream.tryNext();
    const oldToken: ResumeToken = stream.resumeToken;
    await stream.close();

    // Enough writes to push the first entry out of the capped oplog.
    for (let i = 1; i <= OPLOG_MAX_ENTRIES * 2; i += 1) await collection.insertOne({ _id: i });

    const resumed = collection.watch([], { resumeAfter: oldToken });
    const error = await resumed.tryNext().then(
      () => null,
      (e: unknown) => e,
    );
    await resumed.close();
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({ code: 286, codeName: 'ChangeStreamHistoryLost' });

    // A token of a recent change is still resumable.
    const recent = collection.watch([], { maxAwaitTimeMS: 200 });
    expect(await recent.tryNext()).toBeNull();
    await collection.insertOne({ _id: 1000 });
    let marker = null;
    while (marker === null) marker = await recent.tryNext();
    const recentToken: ResumeToken = recent.resumeToken;
    await recent.close();
    await collection.insertOne({ _id: 1001 });
    const again = collection.watch([], { resumeAfter: recentToken, maxAwaitTimeMS: 200 });
    let next = null;
    while (next === null) next = await again.tryNext();
    await again.close();
    expect(next).toMatchObject({ operationType: 'insert', documentKey: { _id: 1001 } });
  });
});
