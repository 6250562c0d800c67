import { topicContracts, type DesiredDatabase } from '@driftline/schemas';
import { createLogger } from '@driftline/shared/logging';
import {
  createAvroSerde,
  createCompactedReader,
  createIdempotentProducer,
  createKafkaAdmin,
  createKafkaClient,
  type KafkaClient,
  type KafkaProducerPort,
} from '@driftline/shared/kafka';
import { MongoClient, ObjectId, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceCollection } from '../services/desired/src/change.ts';
import { CollectionPipeline } from '../services/desired/src/collection-pipeline.ts';
import { createKafkaPublisher } from '../services/desired/src/kafka-publisher.ts';
import { createMongoPositionStore } from '../services/desired/src/mongo-position-store.ts';
import { createMongoSource } from '../services/desired/src/mongo-source.ts';
import { noopObserver } from '../services/desired/src/observer.ts';
import type { ChangeSourcePort } from '../services/desired/src/ports.ts';
import { latestByKey, readTopic, uniqueNames } from '../services/desired/src/testing/process-harness.ts';
import { createTopicKeyIndex } from '../services/desired/src/topic-key-index.ts';
import { stackEndpoints } from './support/stack.ts';

// mongo-java-server never truncates its oplog, so it cannot answer a resume with error 286
// (ChangeStreamHistoryLost). The fault is injected at the adapter boundary: the real MongoDB
// change source, wrapped so that opening the stream fails once with code 286, exactly as the
// driver reports it on a real replica set whose oplog rolled past the stored position.
describe('desired: position lost → resnapshot with tombstones', () => {
  const stack = stackEndpoints();
  const names = uniqueNames('desired_lost');
  const logger = createLogger({ service: 'desired-test', level: 'silent' });
  let client: MongoClient;
  let db: Db;
  let producer: KafkaProducerPort;
  let kafka: KafkaClient;
  const resyncs: string[] = [];

  const database = (name: string) => ({
    _id: new ObjectId(),
    provider: 'prov-1',
    namespace: 'lost',
    kind: 'MySQL',
    name,
    version: '8.0.36',
    replicas: 3,
  });

  function pipeline(source: ChangeSourcePort): CollectionPipeline {
    const topics = {
      databases: names.desiredTopic,
      providers: names.providersTopic,
      deadletter: names.deadletterTopic,
    };
    const serde = createAvroSerde({
      schemaRegistryUrl: stack.schemaRegistryUrl,
      topicNames: { desired: topics.databases, providers: topics.providers, deadletter: topics.deadletter },
    });
    return new CollectionPipeline({
      collection: 'databases',
      source,
      positions: createMongoPositionStore(db, 'driftline_positions', names.instance),
      keyIndexSource: createTopicKeyIndex({
        reader: createCompactedReader(kafka, logger, { groupIdPrefix: names.instance, timeoutMs: 30_000 }),
        topics,
      }),
      publisher: createKafkaPublisher({
        producer,
        serde,
        topics,
        mongoDatabase: names.database,
        sendChunkSize: 500,
        now: Date.now,
      }),
      observer: {
        ...noopObserver,
        resync: (_c: SourceCollection, reason: string) => void resyncs.push(reason),
      },
      logger,
      now: Date.now,
      maxDocumentBytes: 65_536,
      seal: null,
      snapshotPageSize: 100,
      batchMaxChanges: 100,
      idlePositionSaveIntervalMs: 0,
    });
  }

  /** runUntilPosition runs a pipeline until a position with the given snapshot-id prefix is stored. */
  async function runUntilPosition(p: CollectionPipeline, snapshotPrefix: string): Promise<void> {
    const controller = new AbortController();
    const run = p.run(controller.signal);
    const positions = db.collection<{ _id: string; snapshotId: string }>('driftline_positions');
    const deadline = Date.now() + 60_000;
    try {
      for (;;) {
        const stored = await positions.findOne({ _id: `${names.instance}:databases` });
        if (stored?.snapshotId.startsWith(snapshotPrefix) === true) break;
        if (Date.now() > deadline) throw new Error(`no ${snapshotPrefix} position stored`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      controller.abort();
      await run;
    }
  }

  beforeAll(async () => {
    client = new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
    db = client.db(names.database);
    kafka = createKafkaClient({ brokers: stack.kafkaBrokers, clientId: 'desired-lost-test' }, logger);
    const admin = await createKafkaAdmin(kafka);
    await admin.ensureTopics([
      {
        name: names.desiredTopic,
        partitions: 3,
        replicationFactor: 1,
        compacted: topicContracts.desired.compacted,
      },
      { name: names.deadletterTopic, partitions: 1, replicationFactor: 1, compacted: false },
    ]);
    await admin.disconnect();
    producer = await createIdempotentProducer(kafka);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await db?.dropDatabase().catch(() => undefined);
    await client?.close();
  });

  it('republishes what changed, tombstones what vanished, marks the records and counts the resync', async () => {
    const collection = db.collection('databases');
    const [a, b, c] = [database('a'), database('b'), database('c')];
    await collection.insertMany([a, b, c]);
    const real = createMongoSource(db, {
      positionsCollection: 'driftline_positions',
      collectionNames: { databases: 'databases', providers: 'providers' },
      fullDocument: 'updateLookup',
      maxAwaitTimeMs: 100,
      clockProbeTimeoutMs: 10_000,
    });
    await runUntilPosition(pipeline(real), 'initial');
    const before = await readTopic<DesiredDatabase>(stack, names.desiredTopic, 'desired');
    expect([...latestByKey(before).keys()].sort()).toEqual([
      'prov-1/lost/MySQL/a',
      'prov-1/lost/MySQL/b',
      'prov-1/lost/MySQL/c',
    ]);

    // While the service is away: b deleted, c renamed to c2, d inserted — and the oplog rolls over.
    await collection.deleteOne({ _id: b._id });
    await collection.replaceOne({ _id: c._id }, { ...database('c2'), _id: c._id });
    await collection.insertOne(database('d'));
    let injected = false;
    const historyLost: ChangeSourcePort = {
      currentClusterTime: () => real.currentClusterTime(),
      readSnapshotPage: (...args) => real.readSnapshotPage(...args),
      openChangeCursor: async (collectionName, start) => {
        if (!injected) {
          injected = true;
          throw Object.assign(
            new Error(
              'Resume of change stream was not possible, as the resume point may no longer be in the oplog.',
            ),
            {
              code: 286,
              codeName: 'ChangeStreamHistoryLost',
            },
          );
        }
        return real.openChangeCursor(collectionName, start);
      },
    };
    await runUntilPosition(pipeline(historyLost), 'resync');

    expect(injected).toBe(true);
    expect(resyncs).toEqual(['history-lost']);
    const after = await readTopic<DesiredDatabase>(stack, names.desiredTopic, 'desired');
    expect([...latestByKey(after).keys()].sort()).toEqual([
      'prov-1/lost/MySQL/a',
      'prov-1/lost/MySQL/c2',
      'prov-1/lost/MySQL/d',
    ]);
    // Records of the partitions arrive interleaved: what is new is what `before` did not hold.
    const seen = new Set(before.map((r) => `${r.partition}:${r.offset}`));
    const resynced = after
      .filter((r) => !seen.has(`${r.partition}:${r.offset}`))
      .filter((r) => r.headers['driftline-resync-id'] !== undefined);
    const tombstones = resynced.filter((r) => r.value === null).map((r) => r.key);
    expect(tombstones.sort()).toEqual(['prov-1/lost/MySQL/b', 'prov-1/lost/MySQL/c']);
    expect(resynced.every((r) => r.headers['driftline-resync-id']?.startsWith('resync-'))).toBe(true);
  });
});
