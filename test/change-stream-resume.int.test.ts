import { randomUUID } from 'node:crypto';
import {
  MongoClient,
  type ChangeStream,
  type ChangeStreamDocument,
  type Collection,
  type ResumeToken,
} from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackEndpoints } from './support/stack.ts';

interface Database {
  _id: string;
  replicas: number;
  version?: string;
}

/** nextEvents reads `count` events from an open stream; fails with what arrived if they don't come. */
async function nextEvents(
  stream: ChangeStream<Database>,
  count: number,
  timeoutMs = 20_000,
): Promise<ChangeStreamDocument<Database>[]> {
  const events: ChangeStreamDocument<Database>[] = [];
  const deadline = Date.now() + timeoutMs;
  while (events.length < count) {
    if (Date.now() > deadline)
      throw new Error(`expected ${count} change events, got ${JSON.stringify(events)}`);
    const event = await stream.tryNext();
    if (event) events.push(event);
  }
  return events;
}

/** open starts a change stream and waits until the server cursor exists, so later writes are seen. */
async function open(
  collection: Collection<Database>,
  options: Parameters<Collection<Database>['watch']>[1] = {},
): Promise<ChangeStream<Database>> {
  const stream = collection.watch<Database>([], { maxAwaitTimeMS: 200, ...options });
  expect(await stream.tryNext()).toBeNull();
  return stream;
}

describe('change streams on the Mongo-compatible server', () => {
  let client: MongoClient;
  let collection: Collection<Database>;
  const streams: ChangeStream<Database>[] = [];

  beforeAll(async () => {
    client = new MongoClient(stackEndpoints().mongoUrl, { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
    collection = client.db(`changestream_${randomUUID().slice(0, 8)}`).collection<Database>('databases');
  });

  afterAll(async () => {
    for (const stream of streams) await stream.close();
    await collection?.drop().catch(() => undefined);
    await client?.close();
  });

  it('delivers insert, update, replace and delete with real MongoDB event shapes', async () => {
    const stream = await open(collection, { fullDocument: 'updateLookup' });
    streams.push(stream);

    await collection.insertOne({ _id: 'p1/ns/MongoDB/a', replicas: 3, version: '6.0' });
    await collection.updateOne(
      { _id: 'p1/ns/MongoDB/a' },
      { $set: { replicas: 5 }, $unset: { version: '' } },
    );
    await collection.replaceOne({ _id: 'p1/ns/MongoDB/a' }, { replicas: 7, version: '7.0' });
    await collection.deleteOne({ _id: 'p1/ns/MongoDB/a' });

    const [insert, update, replace, remove] = await nextEvents(stream, 4);
    const ns = { db: collection.dbName, coll: collection.collectionName };

    expect(insert).toMatchObject({
      operationType: 'insert',
      ns,
      documentKey: { _id: 'p1/ns/MongoDB/a' },
      fullDocument: { _id: 'p1/ns/MongoDB/a', replicas: 3, version: '6.0' },
    });
    expect(update).toMatchObject({
      operationType: 'update',
      ns,
      documentKey: { _id: 'p1/ns/MongoDB/a' },
      updateDescription: { updatedFields: { replicas: 5 }, removedFields: ['version'] },
    });
    expect(replace).toMatchObject({
      operationType: 'replace',
      ns,
      documentKey: { _id: 'p1/ns/MongoDB/a' },
      fullDocument: { _id: 'p1/ns/MongoDB/a', replicas: 7, version: '7.0' },
    });
    expect(remove).toMatchObject({ operationType: 'delete', ns, documentKey: { _id: 'p1/ns/MongoDB/a' } });
    expect(remove).not.toHaveProperty('fullDocument');

    // Every event has a distinct resume token and a cluster time that orders the changes.
    const tokens = [insert, update, replace, remove].map((event) => JSON.stringify(event?._id));
    expect(new Set(tokens).size).toBe(4);
    const times = [insert, update, replace, remove].map((event) =>
      event && 'clusterTime' in event ? event.clusterTime : undefined,
    );
    for (let i = 1; i < times.length; i += 1) {
      const [previous, current] = [times[i - 1], times[i]];
      expect(previous && current?.greaterThan(previous)).toBe(true);
    }
  });

  it('updateLookup returns the current document, and null once it is gone', async () => {
    const stream = await open(collection, { fullDocument: 'updateLookup' });
    streams.push(stream);
    await collection.insertOne({ _id: 'p1/ns/MongoDB/b', replicas: 1 });
    await collection.updateOne({ _id: 'p1/ns/MongoDB/b' }, { $set: { replicas: 2 } });
    const [, update] = await nextEvents(stream, 2);
    expect(update).toMatchObject({
      operationType: 'update',
      fullDocument: { _id: 'p1/ns/MongoDB/b', replicas: 2 },
    });

    const stream2 = await open(collection, { fullDocument: 'updateLookup' });
    streams.push(stream2);
    await collection.updateOne({ _id: 'p1/ns/MongoDB/b' }, { $set: { replicas: 3 } });
    await collection.deleteOne({ _id: 'p1/ns/MongoDB/b' });
    const [lateUpdate] = await nextEvents(stream2, 2);
    // Like MongoDB, the lookup happens when the event is read: the document was deleted by then.
    expect(lateUpdate).toMatchObject({ operationType: 'update', fullDocument: null });
  });

  it('findOneAndUpdate / findOneAndReplace / findOneAndDelete and upserts produce change events', async () => {
    const stream = await open(collection);
    streams.push(stream);
    await collection.insertOne({ _id: 'p1/ns/MySQL/e', replicas: 1 });
    await collection.findOneAndUpdate({ _id: 'p1/ns/MySQL/e' }, { $set: { replicas: 2 } });
    await collection.findOneAndReplace({ _id: 'p1/ns/MySQL/e' }, { replicas: 3 });
    await collection.findOneAndUpdate({ _id: 'p1/ns/MySQL/f' }, { $set: { replicas: 1 } }, { upsert: true });
    await collection.findOneAndUpdate({ _id: 'p1/ns/MySQL/none' }, { $set: { replicas: 9 } });
    await collection.findOneAndDelete({ _id: 'p1/ns/MySQL/e' });
    await collection.updateOne({ _id: 'p1/ns/MySQL/f' }, { $set: { replicas: 4 } });

    const events = await nextEvents(stream, 6);
    expect(
      events.map((event) => [event.operationType, 'documentKey' in event ? event.documentKey._id : null]),
    ).toEqual([
      ['insert', 'p1/ns/MySQL/e'],
      ['update', 'p1/ns/MySQL/e'],
      ['replace', 'p1/ns/MySQL/e'],
      ['insert', 'p1/ns/MySQL/f'],
      ['delete', 'p1/ns/MySQL/e'],
      ['update', 'p1/ns/MySQL/f'],
    ]);
  });

  it('a new stream resumed from a stored resume token delivers exactly the later changes', async () => {
    const stream = await open(collection);
    streams.push(stream);
    await collection.insertOne({ _id: 'p1/ns/Postgres/c', replicas: 1 });
    const [first] = await nextEvents(stream, 1);
    const stored: ResumeToken = stream.resumeToken;
    expect(stored).toEqual(first?._id);
    await stream.close();

    // Changes that happen while nobody is watching.
    await collection.updateOne({ _id: 'p1/ns/Postgres/c' }, { $set: { replicas: 2 } });
    await collection.insertOne({ _id: 'p1/ns/Postgres/d', replicas: 1 });
    await collection.deleteOne({ _id: 'p1/ns/Postgres/c' });

    const resumedStreams = (['resumeAfter', 'startAfter'] as const).map((option) => {
      const resumed = collection.watch<Database>([], { maxAwaitTimeMS: 200, [option]: stored });
      streams.push(resumed);
      return resumed;
    });
    for (const resumed of resumedStreams) {
      const missed = await nextEvents(resumed, 3);
      expect(
        missed.map((event) => [event.operationType, 'documentKey' in event ? event.documentKey._id : null]),
      ).toEqual([
        ['update', 'p1/ns/Postgres/c'],
        ['insert', 'p1/ns/Postgres/d'],
        ['delete', 'p1/ns/Postgres/c'],
      ]);
    }
    // Nothing before the token is repeated and nothing else is pending: the next event is new.
    await collection.insertOne({ _id: 'p1/ns/Redis/sentinel', replicas: 1 });
    for (const resumed of resumedStreams) {
      const [next] = await nextEvents(resumed, 1);
      expect(next).toMatchObject({ operationType: 'insert', documentKey: { _id: 'p1/ns/Redis/sentinel' } });
    }
  });
});
