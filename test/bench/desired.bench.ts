/**
 * desired.bench.ts measures the desired service's two paths against the local stack (start it
 * with `npm run stack up`, or point KAFKA_BROKERS / SCHEMA_REGISTRY_URL / MONGO_URL elsewhere):
 * 1. snapshot: 100,000 `databases` documents read in pages and published to desired.v1
 *    (records/s, from pipeline start to the stored position);
 * 2. live: changes written to MongoDB while the change stream runs, each to a distinct document:
 *    throughput and the latency from the write (wall clock before insert) to the record's Kafka
 *    CreateTime (set by the service's producer), p50/p99/max.
 * It runs the real adapters in-process (MongoDB change source and position store, Avro serde,
 * idempotent producer) and writes its figures to docs/benchmarks.md between the desired markers.
 * The live changes come from a separate writer process (this file forked with `--role writer`),
 * like a platform's clients: several concurrent writers, each inserting small batches, so the
 * writer neither shares the service's thread nor is one serial connection's round trips. The CPU
 * time printed per record is this (service) process's only.
 * Usage: node test/bench/desired.bench.ts [--documents 100000] [--changes 10000] [--writers 4]
 *   [--write-batch 10] [--paced-rate 1000] [--page 2000] [--chunk 1000] [--no-write]
 */
import { fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { topicContracts } from '@driftline/schemas';
import { createLogger } from '@driftline/shared/logging';
import {
  createAvroSerde,
  createCompactedReader,
  createIdempotentProducer,
  createKafkaAdmin,
  createKafkaClient,
} from '@driftline/shared/kafka';
import { MongoClient, ObjectId } from 'mongodb';
import { CollectionPipeline } from '../../services/desired/src/collection-pipeline.ts';
import { createKafkaPublisher } from '../../services/desired/src/kafka-publisher.ts';
import { createMongoPositionStore } from '../../services/desired/src/mongo-position-store.ts';
import { createMongoSource } from '../../services/desired/src/mongo-source.ts';
import { noopObserver } from '../../services/desired/src/observer.ts';
import { createTopicKeyIndex } from '../../services/desired/src/topic-key-index.ts';

const { values: args } = parseArgs({
  options: {
    role: { type: 'string', default: 'bench' },
    db: { type: 'string', default: '' },
    documents: { type: 'string', default: '100000' },
    changes: { type: 'string', default: '10000' },
    writers: { type: 'string', default: '4' },
    'write-batch': { type: 'string', default: '10' },
    'paced-rate': { type: 'string', default: '1000' },
    // The service's defaults (DESIRED_SNAPSHOT_PAGE_COUNT, DESIRED_SEND_CHUNK_COUNT).
    page: { type: 'string', default: '2000' },
    chunk: { type: 'string', default: '1000' },
    'no-write': { type: 'boolean', default: false },
  },
});
const DOCUMENTS = Number(args.documents);
const CHANGES = Number(args.changes);
const WRITERS = Number(args.writers);
const WRITE_BATCH = Number(args['write-batch']);
const PACED_RATE = Number(args['paced-rate']);
const PAGE = Number(args.page);
const CHUNK = Number(args.chunk);
const mongoUrl = process.env['MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/?directConnection=true';

const doc = (name: string) => ({
  _id: new ObjectId(),
  provider: `prov-${name.length % 7}`,
  namespace: 'bench',
  kind: 'Postgres',
  name,
  version: '16.2',
  replicas: 3,
  storage: '20Gi',
  resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
  generation: 1,
});

/** WriteOrder asks the writer process for `count` inserts named `<label>-<n>`, paced or as fast as it goes. */
interface WriteOrder {
  readonly label: string;
  readonly count: number;
  readonly ratePerSecond: number | null;
}

/** WriteReport: when each batch was sent (wall clock just before its insertMany) and the writer's rate. */
interface WriteReport {
  readonly writeSeconds: number;
  /** [first n, count, wall-clock ms] per insertMany. */
  readonly batches: readonly (readonly [number, number, number])[];
}

if (args.role === 'writer') {
  await runWriter();
} else {
  await runBench();
}

/**
 * runWriter is the platform's clients: WRITERS concurrent loops on one connection pool, each
 * taking the next WRITE_BATCH names and inserting them with one insertMany, each document a
 * distinct change. Paced orders start batch k at k × batch / rate.
 */
async function runWriter(): Promise<void> {
  const writerClient = new MongoClient(mongoUrl, { maxPoolSize: WRITERS + 2 });
  await writerClient.connect();
  const collection = writerClient.db(args.db).collection('databases');
  const orders = new Promise<void>((resolve) => process.once('disconnect', resolve));
  process.on('message', (order: WriteOrder) => {
    void (async () => {
      const batches: [number, number, number][] = [];
      let next = 0;
      const t0 = Date.now();
      await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          while (next < order.count) {
            const first = next;
            const count = Math.min(WRITE_BATCH, order.count - first);
            next += count;
            if (order.ratePerSecond !== null) {
              const wait = t0 + (first / order.ratePerSecond) * 1000 - Date.now();
              if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
            }
            const docs = Array.from({ length: count }, (_, j) => doc(`${order.label}-${first + j}`));
            batches.push([first, count, Date.now()]);
            await collection.insertMany(docs);
          }
        }),
      );
      const report: WriteReport = { writeSeconds: (Date.now() - t0) / 1000, batches };
      process.send?.(report);
    })();
  });
  process.send?.('ready');
  await orders;
  await writerClient.close();
}

async function runBench(): Promise<void> {
  const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
  const registryUrl = process.env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081';
  const id = `bench_desired_${randomUUID().slice(0, 8)}`;
  const topics = { databases: `${id}.desired`, providers: `${id}.providers`, deadletter: `${id}.deadletter` };
  const logger = createLogger({ service: 'desired-bench', level: 'warn' });
  const kafka = createKafkaClient(
    { brokers, clientId: 'desired-bench' },
    createLogger({ service: 'desired-bench-kafka', level: 'silent' }),
  );
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  const db = client.db(id);
  const admin = await createKafkaAdmin(kafka);
  await admin.ensureTopics([
    {
      name: topics.databases,
      partitions: 6,
      replicationFactor: 1,
      compacted: topicContracts.desired.compacted,
    },
    { name: topics.deadletter, partitions: 1, replicationFactor: 1, compacted: false },
  ]);
  await admin.disconnect();
  const producer = await createIdempotentProducer(kafka);
  const serde = createAvroSerde({
    schemaRegistryUrl: registryUrl,
    topicNames: { desired: topics.databases, providers: topics.providers, deadletter: topics.deadletter },
  });
  await serde.register(['desired', 'deadletter']);

  const percentile = (sorted: number[], p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  const cpuMicros = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return used.user + used.system;
  };

  let snapshotDoneAt = 0;
  // Stream publishes and their records: how many changes one Kafka round trip carried.
  let streamPublishes = 0;
  let streamRecords = 0;
  const pipeline = new CollectionPipeline({
    collection: 'databases',
    source: createMongoSource(db, {
      positionsCollection: 'driftline_positions',
      collectionNames: { databases: 'databases', providers: 'providers' },
      fullDocument: 'updateLookup',
      maxAwaitTimeMs: 50,
      clockProbeTimeoutMs: 10_000,
    }),
    positions: createMongoPositionStore(db, 'driftline_positions', id),
    keyIndexSource: createTopicKeyIndex({
      reader: createCompactedReader(kafka, logger, { groupIdPrefix: id, timeoutMs: 120_000 }),
      topics,
    }),
    publisher: createKafkaPublisher({
      producer,
      serde,
      topics,
      mongoDatabase: id,
      sendChunkSize: CHUNK,
      now: Date.now,
    }),
    observer: {
      ...noopObserver,
      snapshotCompleted: () => void (snapshotDoneAt = performance.now()),
      published: (_collection, source, outputs) => {
        if (source !== 'stream') return;
        streamPublishes += 1;
        streamRecords += outputs.length;
      },
    },
    logger,
    now: Date.now,
    maxDocumentBytes: 65_536,
    seal: null,
    snapshotPageSize: PAGE,
    batchMaxChanges: 1000,
    idlePositionSaveIntervalMs: 1000,
  });

  const writer = fork(fileURLToPath(import.meta.url), [
    '--role',
    'writer',
    '--db',
    id,
    '--writers',
    String(WRITERS),
    '--write-batch',
    String(WRITE_BATCH),
  ]);
  await new Promise<void>((resolve) => writer.once('message', () => resolve()));

  const loadAtStart = loadavg()[0] ?? NaN;
  try {
    console.log(`seeding ${DOCUMENTS} documents into ${id}.databases …`);
    for (let i = 0; i < DOCUMENTS; i += 5000) {
      await db
        .collection('databases')
        .insertMany(Array.from({ length: Math.min(5000, DOCUMENTS - i) }, (_, j) => doc(`db-${i + j}`)));
    }

    // Phase marks in seconds since the process started: slice a --cpu-prof profile with them.
    console.log(`snapshot … (at ${(performance.now() / 1000).toFixed(1)} s)`);
    const controller = new AbortController();
    const started = performance.now();
    const snapshotCpu = process.cpuUsage();
    const run = pipeline.run(controller.signal);
    while (snapshotDoneAt === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const snapshotCpuPerRecord = cpuMicros(snapshotCpu) / DOCUMENTS;
    const snapshotSeconds = (snapshotDoneAt - started) / 1000;
    const snapshotRate = Math.round(DOCUMENTS / snapshotSeconds);
    console.log(
      `snapshot: ${DOCUMENTS} records in ${snapshotSeconds.toFixed(2)} s = ${snapshotRate} records/s; service CPU ${snapshotCpuPerRecord.toFixed(1)} µs/record`,
    );

    // Latency probe: a consumer on desired.v1 that notes each live record's CreateTime by name.
    // It joins after the snapshot (from the topic's end), so the snapshot figure is not charged with
    // decoding its own 100,000 records in this same process.
    const createdAt = new Map<string, number>();
    const arrivedByLabel = new Map<string, number>();
    const consumer = kafka.consumer({ groupId: `${id}-probe`, maxWaitTimeInMs: 20 });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topic: topics.databases, fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const name = message.key?.toString('utf8').split('/')[3] ?? '';
        const label = name.slice(0, name.indexOf('-'));
        if (label === 'db' || createdAt.has(name)) return;
        createdAt.set(name, Number(message.timestamp));
        arrivedByLabel.set(label, (arrivedByLabel.get(label) ?? 0) + 1);
      },
    });
    await joined;
    // Past the join the consumer resolves its start offsets (the end) on its first fetch.
    await new Promise((resolve) => setTimeout(resolve, 2000));

    async function live(count: number, ratePerSecond: number | null, label: string) {
      const cpu = process.cpuUsage();
      const [publishesBefore, recordsBefore] = [streamPublishes, streamRecords];
      const reported = new Promise<WriteReport>((resolve) =>
        writer.once('message', (report: WriteReport) => resolve(report)),
      );
      writer.send({ label, count, ratePerSecond } satisfies WriteOrder);
      console.log(`${label} … (at ${(performance.now() / 1000).toFixed(1)} s)`);
      const report = await reported;
      const deadline = Date.now() + 120_000;
      while ((arrivedByLabel.get(label) ?? 0) < count && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const names = (first: number, n: number) =>
        Array.from({ length: n }, (_, j) => `${label}-${first + j}`);
      const latencies: number[] = [];
      let t0 = Infinity;
      let last = 0;
      for (const [first, n, sentAt] of report.batches) {
        t0 = Math.min(t0, sentAt);
        for (const name of names(first, n)) {
          const at = createdAt.get(name);
          if (at === undefined) continue;
          latencies.push(at - sentAt);
          last = Math.max(last, at);
        }
      }
      const sorted = latencies.sort((a, b) => a - b);
      const result = {
        count,
        received: sorted.length,
        rate: Math.round(sorted.length / ((last - t0) / 1000)),
        writeRate: Math.round(count / report.writeSeconds),
        cpuPerChange: Number((cpuMicros(cpu) / count).toFixed(1)),
        recordsPerPublish: Math.round(
          (streamRecords - recordsBefore) / Math.max(1, streamPublishes - publishesBefore),
        ),
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? NaN,
      };
      console.log(`${label} (done at ${(performance.now() / 1000).toFixed(1)} s):`, result);
      return result;
    }

    // Baseline: the Mongo server's own change-stream latency (insert → event at a bare watcher),
    // measured in the same state, so the service's share of the latency is visible.
    const rawLatencies: number[] = [];
    {
      const probe = db.collection('baseline').watch([], { maxAwaitTimeMS: 20 });
      await probe.tryNext();
      for (let i = 0; i < 30; i++) {
        const t = Date.now();
        await db.collection('baseline').insertOne({ i });
        while ((await probe.tryNext()) === null);
        rawLatencies.push(Date.now() - t);
      }
      await probe.close();
    }
    const raw = [...rawLatencies].sort((a, b) => a - b);
    console.log('raw change stream latency p50/p99', percentile(raw, 50), percentile(raw, 99));

    const burst = await live(CHANGES, null, 'burst');
    const paced = await live(Math.min(CHANGES, PACED_RATE * 5), PACED_RATE, 'paced');
    controller.abort();
    await run;
    await consumer.disconnect();

    if (!args['no-write']) {
      const section = [
        '<!-- bench:desired:start -->',
        '## desired (MongoDB change stream → desired.v1)',
        '',
        `\`node test/bench/desired.bench.ts\` on ${new Date().toISOString().slice(0, 10)}: mongo-java-server 1.47 (in-memory, oplog on, a fresh instance), one KRaft broker, all on one machine with ${cpus().length} cores at 1-minute load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0]?.toFixed(1)} at the end (the machine is shared with other work); Node ${process.version}.`,
        '',
        '| measurement | result | target |',
        '| --- | --- | --- |',
        `| snapshot of ${DOCUMENTS.toLocaleString('en')} database records (pages of ${PAGE.toLocaleString('en')}, sends of ≤ ${CHUNK.toLocaleString('en')} records, Avro, acks=all) | ${snapshotRate.toLocaleString('en')} records/s (${snapshotSeconds.toFixed(1)} s) | ≥ 20,000 records/s |`,
        `| live burst: ${burst.count.toLocaleString('en')} inserts as fast as the writer goes (it wrote ${burst.writeRate.toLocaleString('en')} inserts/s) | ${burst.rate.toLocaleString('en')} changes/s; latency p50 / p99 / max ${burst.p50} / ${burst.p99} / ${burst.max} ms | ≥ 5,000 changes/s |`,
        `| live paced: ${paced.count.toLocaleString('en')} inserts at ${PACED_RATE.toLocaleString('en')}/s | latency p50 / p99 / max ${paced.p50} / ${paced.p99} / ${paced.max} ms | p99 < 100 ms |`,
        `| baseline: the server's own change-stream latency (insert → event at a bare watcher, 30 inserts, 100,000+ oplog entries) | p50 / max ${percentile(raw, 50)} / ${raw.at(-1)} ms | |`,
        '',
        "Latency runs from the wall clock just before `insertMany` to the record's Kafka CreateTime (set by the service's producer); same machine, same clock. Every change is a distinct document, so every one must arrive.",
        '',
        `**Reading.** ${snapshotRate >= 20_000 && burst.rate >= 5_000 && paced.p99 < 100 ? 'The targets are met in this run.' : 'Not every target is met in this run (see the rows).'} The MongoDB stand-in no longer bounds latency: its change streams read an ordered oplog index (a \`getMore\` costs O(log N + k), it used to scan and sort all N entries), so a bare watcher sees an insert within milliseconds with > 100,000 entries in the oplog (the baseline row; it was seconds). What bounds each figure now: **snapshot** — the service's one Node thread, busy throughout: in a CPU profile of the snapshot about a third is kafkajs building produce requests (partitioning, record and header encoding), a quarter translating (zod validation, key, correlation id), a sixth garbage collection, the rest BSON decoding and Avro encoding. Measured alone on this machine (load 11–14): the server's \`_id\`-sorted \`find\` delivers ≈ 21,000 raw documents/s (no longer the ≈ 7,000 noted before; the sort is not what costs), one idempotent producer ≈ 9,000–12,000 records/s of this shape; so the 20,000 records/s target needs less CPU per record in the producer and translator, and a core of its own. **Live burst** — ${burst.rate >= 0.9 * burst.writeRate ? `the writer: the service carried the changes as fast as the (same-process) writer inserted them into the in-memory server (${burst.writeRate.toLocaleString('en')} inserts/s)` : `the service: it carried ${burst.rate.toLocaleString('en')} changes/s of the ${burst.writeRate.toLocaleString('en')} inserts/s written`}. **Live latency** — the stream loop is serial (read a batch → publish, acks=all → store the position → read again), so a change that arrives while the loop publishes and stores waits for both, on a machine whose other load slows every step; and the in-memory server's stop-the-world collections (it keeps every document and oplog entry on the heap; each young collection copies what was inserted since the last, 1–3 s on this loaded machine, see \`<stack dir>/logs/mongo-gc.log\`) stall everything in flight when one falls into a run — that is what a p99 or max near a second shows. A real replica set (\`MONGO_URL\`) reads its oplog and serves finds from indexes on disk-backed storage, without these heap pauses; re-run the script there for production figures.`,
        '<!-- bench:desired:end -->',
      ].join('\n');
      const path = new URL('../../docs/benchmarks.md', import.meta.url);
      const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
      const pattern = /<!-- bench:desired:start -->[\s\S]*<!-- bench:desired:end -->/;
      writeFileSync(
        path,
        pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`,
      );
      console.log('written to docs/benchmarks.md');
    }
  } finally {
    writer.disconnect();
    await producer.disconnect();
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  }
}
