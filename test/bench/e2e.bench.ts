import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet } from '@driftline/fleet-sim';
import { createKafkaClient } from '@driftline/shared/kafka';
import { createLogger } from '@driftline/shared/logging';
import { MongoClient } from 'mongodb';
import { desiredSeedOf } from '../../scripts/demo/desired-records.ts';
import { seedMongo } from '../../scripts/demo/seed-mongo.ts';
import { startDriftFeed } from '../../scripts/start/drift-feed.ts';
import { runSettings } from '../../scripts/start/pipeline-settings.ts';
import { provisionTopics } from '../../scripts/start/provision-topics.ts';
import { SERVICE_NAMES } from '../../scripts/start/service-process.ts';
import { ServiceSet } from '../../scripts/start/service-set.ts';
import { downStack, loadStackConfig, repoDir, upStack, type ComponentName } from '../../stack/src/index.ts';
import { mean, percentile, replaceSection } from './e2e-stats.ts';
import { PollingReconciler, type PollingTarget } from './polling-baseline.ts';

// The whole pipeline against a simulated fleet, and in the same run the polling baseline.
// `node test/bench/e2e.bench.ts` — env BENCH_PROVIDERS (10), BENCH_DATABASES (1000 per provider),
// BENCH_DRIFT_RATIO (0.1), BENCH_CHANGES (200), BENCH_PERSIST_MS (5000: RECONCILER_PERSIST_MS),
// BENCH_CPU_PROF_DIR (unset: every service writes a V8 CPU profile there when it stops),
// BENCH_LOG_LEVEL (warn; when set, the service logs are kept), BENCH_WRITE_DOC (true). Stops all it starts; writes its figures between the bench:e2e markers
// of docs/benchmarks.md.

const PROVIDERS = Number(process.env['BENCH_PROVIDERS'] ?? 10);
const DATABASES = Number(process.env['BENCH_DATABASES'] ?? 1000);
const DRIFT_RATIO = Number(process.env['BENCH_DRIFT_RATIO'] ?? 0.1);
const CHANGES = Number(process.env['BENCH_CHANGES'] ?? 200);
// A platform debounces drift (the reconciler's default is 5 s); with 0 every key passes through
// `missing`/`orphan` while its two inputs arrive, and the sink writes and resolves each of those
// transient drifts. The window delays every drift event by its length: latencies are reported
// both as measured and beyond it.
const PERSIST_MS = Number(process.env['BENCH_PERSIST_MS'] ?? 5000);
const CPU_PROF_DIR = process.env['BENCH_CPU_PROF_DIR'];
const LOG_LEVEL = process.env['BENCH_LOG_LEVEL'];
const BASELINE_CHANGES = 20;
const say = (line: string): void => console.log(`[bench:e2e] ${line}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 50,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return Date.now();
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const runId = `bench-${Date.now().toString(36)}`;
const stackConfig = loadStackConfig(process.env, repoDir);
const startedStack: ComponentName[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
const load0 = loadavg()[0] ?? 0;

try {
  const up = await upStack(stackConfig, say, 'cli');
  startedStack.push(...up.components.filter((c) => c.state === 'started').map((c) => c.name));
  const endpoints = up.endpoints;

  const fleet = await Fleet.start({ clusterCount: PROVIDERS, bookmarkIntervalMs: 5_000 });
  cleanups.push(() => fleet.stop());
  fleet.seed({ count: DATABASES });
  const seed = desiredSeedOf(fleet.clusters, DRIFT_RATIO);
  const mongo = new MongoClient(endpoints.mongoUrl);
  await mongo.connect();
  cleanups.push(() => mongo.close());
  const db = mongo.db(`driftline_${runId.replace('-', '_')}`);
  cleanups.push(() => db.dropDatabase());
  await seedMongo(db, seed);
  say(`fleet ${PROVIDERS} × ${DATABASES}, ${seed.drifting.size} drifting; MongoDB ${db.databaseName} seeded`);

  const settings = await runSettings({
    endpoints,
    mongoDatabase: db.databaseName,
    runId,
    partitions: 6,
    reconcilerPersistMs: PERSIST_MS,
    logLevel: LOG_LEVEL ?? 'warn',
    ...(CPU_PROF_DIR === undefined
      ? {}
      : {
          extraEnv: Object.fromEntries(
            SERVICE_NAMES.map((name) => [
              name,
              {
                NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${CPU_PROF_DIR} --cpu-prof-name=${name}.cpuprofile`,
              },
            ]),
          ),
        }),
  });
  const kafka = createKafkaClient(
    { brokers: endpoints.kafkaBrokers, clientId: `${runId}-bench` },
    createLogger({ service: 'bench', level: 'fatal' }),
  );
  await provisionTopics(kafka, settings);
  cleanups.push(async () => {
    const admin = kafka.admin();
    await admin.connect();
    const all = await admin.listTopics();
    await admin.deleteTopics({ topics: all.filter((t) => t.startsWith(`${runId}.`)) });
    await admin.disconnect();
  });

  // First arrival of an opened/changed drift per key, as this process received it.
  const opened = new Map<string, number>();
  const feed = await startDriftFeed({
    kafka,
    schemaRegistryUrl: endpoints.schemaRegistryUrl,
    topic: settings.topics.drift,
    groupId: `${runId}-feed`,
    onEvent: ({ event, receivedAtMs }) => {
      if (event.keyStatus === 'drifting' && !opened.has(event.key)) opened.set(event.key, receivedAtMs);
    },
  });
  cleanups.push(() => feed.stop());

  const logDir = await mkdtemp(join(tmpdir(), `driftline-${runId}-`));
  // Service logs stay for a post-mortem when the run fails, or when a log level was asked for.
  cleanups.push(() =>
    process.exitCode === 1 || LOG_LEVEL !== undefined
      ? Promise.resolve()
      : rm(logDir, { recursive: true, force: true }),
  );
  say(`service logs: ${logDir}`);
  const services = new ServiceSet(settings, logDir);
  cleanups.push(() => services.stopAll());

  // (1) Start to all drift reported and all operations written.
  const drifting = [...seed.drifting.keys()];
  const operations = db.collection('operations');
  const fleetSize = seed.databases.length;
  const t0 = Date.now();
  // The sink's projections, polled from the start so each is timed as it completes (not only once
  // drift.v1 is complete): where the time goes after the reconciler.
  const projected = (async () => {
    let observedAt = 0;
    let driftDocsAt = 0;
    const opsAt = await until(
      'all operations written',
      async () => {
        // The sink only ever inserts observed documents here: the cheap count is exact.
        if (observedAt === 0 && (await db.collection('observed_state').estimatedDocumentCount()) >= fleetSize)
          observedAt = Date.now();
        if (
          driftDocsAt === 0 &&
          (await db.collection('drift').countDocuments({ keyStatus: 'drifting' })) >= drifting.length
        )
          driftDocsAt = Date.now();
        return (await operations.distinct('key', { outcome: 'outstanding' })).length >= drifting.length;
      },
      480_000,
      200,
    );
    return { tObserved: observedAt || opsAt, tDriftDocs: driftDocsAt || opsAt, tOps: opsAt };
  })();
  // Awaited below; a failure before then must not surface as an unhandled rejection.
  projected.catch(() => undefined);
  await Promise.all(SERVICE_NAMES.map((name) => services.start(name, 180_000)));
  const tReady = Date.now();
  const tDrift = await until(
    'all initial drift reported',
    () => drifting.every((k) => opened.has(k)),
    300_000,
  );
  const { tObserved, tDriftDocs, tOps } = await projected;
  say(
    `ready ${tReady - t0} ms, drift ${tDrift - t0} ms, observed_state ${tObserved - t0} ms, drift documents ${tDriftDocs - t0} ms, operations ${tOps - t0} ms`,
  );
  const admin = kafka.admin();
  await admin.connect();
  // Per topic: how much each stage had to carry (the sink reads operations, observed and drift).
  const perTopic = new Map<string, number>();
  for (const [id, topic] of Object.entries(settings.topics)) {
    let count = 0;
    for (const p of await admin.fetchTopicOffsets(topic)) count += Number(p.high) - Number(p.low);
    perTopic.set(id, count);
  }
  await admin.disconnect();
  const records = [...perTopic.values()].reduce((a, b) => a + b, 0);
  say(`records per topic at the end of the initial sync: ${JSON.stringify(Object.fromEntries(perTopic))}`);

  // (2) p99 CR change → drift event and → MongoDB projection, changes paced at 20/s.
  await sleep(3_000);
  const inSync = seed.databases.filter((d) => !seed.drifting.has(d._id));
  const step = Math.floor(inSync.length / (CHANGES + BASELINE_CHANGES));
  const chosen = Array.from({ length: CHANGES }, (_, i) => inSync[i * step]).filter((d) => d !== undefined);
  const changedAt = new Map<string, number>();
  const projectedAt = new Map<string, number>();
  const driftCollection = db.collection<{ _id: string; keyStatus: string }>('drift');
  let polling = true;
  const projectionPoll = (async () => {
    while (polling) {
      const pending = [...changedAt.keys()].filter((k) => !projectedAt.has(k));
      if (pending.length > 0) {
        const found = await driftCollection
          .find({ _id: { $in: pending }, keyStatus: 'drifting' }, { projection: { _id: 1 } })
          .toArray();
        const now = Date.now();
        for (const d of found) projectedAt.set(d._id, now);
      }
      await sleep(20);
    }
  })();
  for (const doc of chosen) {
    fleet.cluster(doc.provider).changeDatabase(doc, { replicas: doc.replicas + 1 }, { converge: true });
    changedAt.set(doc._id, Date.now());
    await sleep(50);
  }
  await until('every change reported', () => chosen.every((d) => opened.has(d._id)), 120_000);
  // The projection may lag behind a sink still writing the initial sync: wait a bounded time and
  // report how many made it.
  await until('every change projected', () => chosen.every((d) => projectedAt.has(d._id)), 60_000).catch(
    () => 0,
  );
  polling = false;
  await projectionPoll;
  const toDrift = chosen.map((d) => (opened.get(d._id) ?? 0) - (changedAt.get(d._id) ?? 0));
  const toMongo = chosen
    .filter((d) => projectedAt.has(d._id))
    .map((d) => (projectedAt.get(d._id) ?? 0) - (changedAt.get(d._id) ?? 0));

  // (3) Steady state API calls of the event-driven pipeline (watches and bookmarks only).
  for (const c of fleet.clusters) c.resetCounters();
  const idleMs = 30_000;
  await sleep(idleMs);
  const idleCounts = Object.values(fleet.counters());
  const idleRequests = idleCounts.reduce((s, c) => s + c.total, 0);
  const openWatches = idleCounts.reduce((s, c) => s + c.openWatches, 0);
  // Watches are re-opened after a timeout drawn from [5, 10) min (WATCHER_MIN_WATCH_TIMEOUT_MS):
  // on average one request per watch per 7.5 min, which a 30 s window rarely sees.
  const rewatchesPerHour = (openWatches * 60) / 7.5;
  const pipelineCallsPerHour = Math.max((idleRequests * 3_600_000) / idleMs, rewatchesPerHour);

  // (4) The polling baseline against the same fleet and MongoDB: one warm sweep, then a sweep
  // during which BASELINE_CHANGES databases drift at its start; both detectors see those changes.
  const targets = new Map<string, PollingTarget>(
    fleet.clusters.map((c) => [c.id, { server: c.server, token: c.token }]),
  );
  const poller = new PollingReconciler(db, targets, 10);
  for (const c of fleet.clusters) c.resetCounters();
  const sweep1 = await poller.sweep();
  const getsPerSweep = Object.values(fleet.counters()).reduce((s, c) => s + c.byVerb.get, 0);
  const later = Array.from({ length: BASELINE_CHANGES }, (_, i) => inSync[(CHANGES + i) * step]).filter(
    (d) => d !== undefined,
  );
  const baselineChangedAt = new Map<string, number>();
  const baselineDetectedAt = new Map<string, number>();
  const sweep2 = poller.sweep((r) => {
    if (r.drifting && baselineChangedAt.has(r.key) && !baselineDetectedAt.has(r.key))
      baselineDetectedAt.set(r.key, r.checkedAtMs);
  });
  for (const doc of later) {
    fleet.cluster(doc.provider).changeDatabase(doc, { replicas: doc.replicas + 1 }, { converge: true });
    baselineChangedAt.set(doc._id, Date.now());
  }
  await sweep2;
  await until(
    'the pipeline reported the baseline changes',
    () => later.every((d) => opened.has(d._id)),
    60_000,
  );
  const baselineDetect = later.map(
    (d) => (baselineDetectedAt.get(d._id) ?? Number.NaN) - (baselineChangedAt.get(d._id) ?? 0),
  );
  const pipelineDetect = later.map((d) => (opened.get(d._id) ?? 0) - (baselineChangedAt.get(d._id) ?? 0));
  const baselineCallsPerHour = (getsPerSweep * 3_600_000) / sweep1.durationMs;

  const fmt = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
  const n = (x: number): string => Math.round(x).toLocaleString('en-US');
  const load1 = loadavg()[0] ?? 0;
  const body = `## End to end: the whole pipeline vs the polling baseline

\`node test/bench/e2e.bench.ts\` — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}; load average ${load0.toFixed(1)} at start, ${load1.toFixed(1)} at end (the machine is shared with the rest of the build: figures are upper bounds).

${PROVIDERS} simulated providers × ${n(DATABASES)} KubeDB databases (in-process fleet-sim, 127.0.0.1), ${seed.drifting.size} drifting (${Math.round(DRIFT_RATIO * 100)} %: replicas, storage or memory differ from the MongoDB record). The four services run as child processes (one instance each, ${settings.partitions} partitions per topic, \`RECONCILER_PERSIST_MS=${PERSIST_MS}\`: a drift condition is reported once it has held ${fmt(PERSIST_MS)}, so every drift event comes at least that long after its cause) against the local stack (Kafka KRaft, mongo-java-server, schema registry).

| measure | result | target |
| --- | --- | --- |
| start → every service ready (process start, group joins, state rebuild) | ${fmt(tReady - t0)} | — |
| start → all ${seed.drifting.size} drifts reported on drift.v1 | **${fmt(tDrift - t0)}** (${fmt(tDrift - tReady)} after ready) | ≤ 15 s |
| start → all ${n(fleetSize)} observed databases in MongoDB \`observed_state\` | ${fmt(tObserved - t0)} (${fmt(tObserved - tReady)} after ready) | — |
| start → all ${seed.drifting.size} drifts in MongoDB \`drift\` | ${fmt(tDriftDocs - t0)} (${fmt(tDriftDocs - tReady)} after ready) | — |
| start → all ${seed.drifting.size} operations written to MongoDB | **${fmt(tOps - t0)}** (${fmt(tOps - tReady)} after ready) | ≤ 15 s |
| sustained throughput of the initial sync | ${n(records / ((tOps - t0) / 1000))} records/s (${n(records)} records on all topics: ${[...perTopic].map(([id, count]) => `${id} ${n(count)}`).join(', ')}) | — |
| CR change → drift event, p50 / p99 / max (${chosen.length} changes at 20/s) | ${fmt(percentile(toDrift, 50))} / ${fmt(percentile(toDrift, 99))} / ${fmt(Math.max(...toDrift))}; beyond the ${fmt(PERSIST_MS)} window: ${fmt(percentile(toDrift, 50) - PERSIST_MS)} / **${fmt(percentile(toDrift, 99) - PERSIST_MS)}** / ${fmt(Math.max(...toDrift) - PERSIST_MS)} | p99 ≤ 250 ms |
| CR change → MongoDB \`drift\` projection, p50 / p99 (polled every 20 ms; ${toMongo.length} of ${chosen.length} projected within 60 s) | ${fmt(percentile(toMongo, 50))} / ${fmt(percentile(toMongo, 99))}; beyond the window: ${fmt(percentile(toMongo, 50) - PERSIST_MS)} / **${fmt(percentile(toMongo, 99) - PERSIST_MS)}** | — |
| API calls per hour at steady state, pipeline | ${n(pipelineCallsPerHour)} (${idleRequests} requests in ${idleMs / 1000} s; ${openWatches} open watches re-opened every 5–10 min) | — |

Polling baseline in the same run, same fleet and MongoDB (\`test/bench/polling-baseline.ts\`: per database a MongoDB \`findOne\` and a GET of the CR, 10 in flight):

| measure | polling baseline | pipeline | ratio |
| --- | --- | --- | --- |
| one sweep over ${n(sweep1.databases)} databases | ${fmt(sweep1.durationMs)} (${n(sweep1.apiGets)} GETs, ${n(sweep1.mongoReads)} MongoDB reads) | — | — |
| time to detect a drift (${later.length} CR changes at the start of a sweep), mean / max | ${fmt(mean(baselineDetect))} / ${fmt(Math.max(...baselineDetect))} | ${fmt(mean(pipelineDetect))} / ${fmt(Math.max(...pipelineDetect))} | ${(mean(baselineDetect) / mean(pipelineDetect)).toFixed(1)}× faster (the pipeline's time includes the ${fmt(PERSIST_MS)} window) |
| API calls per hour at steady state (polling back to back) | ${n(baselineCallsPerHour)} | ${n(pipelineCallsPerHour)} | ${(baselineCallsPerHour / Math.max(1, pipelineCallsPerHour)).toFixed(0)}× fewer |

How to read this: the baseline's detection time is bounded by its sweep (a change waits until its database's turn comes round: half a sweep on average, a whole one at worst), and grows linearly with the fleet; the pipeline's is one watch event, one join and one produce, whatever the fleet size. The baseline's API load is continuous; the pipeline's steady state is one long-lived watch per provider and kind plus periodic re-watches.
`;
  console.log(body);
  if (process.env['BENCH_WRITE_DOC'] !== 'false') {
    const path = join(repoDir, 'docs', 'benchmarks.md');
    const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
    writeFileSync(path, replaceSection(current, 'e2e', body));
    say(`figures written to ${path}`);
  }
} catch (error) {
  console.error(`[bench:e2e] failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
} finally {
  for (const step of cleanups.reverse()) await step().catch(() => undefined);
  if (startedStack.length > 0) await downStack(stackConfig, say, { only: startedStack });
}
