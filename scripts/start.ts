import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Fleet } from '@driftline/fleet-sim';
import { createKafkaAdmin, createKafkaClient, type KafkaAdminPort } from '@driftline/shared/kafka';
import { createLogger } from '@driftline/shared/logging';
import { MongoClient } from 'mongodb';
import { downStack, loadStackConfig, repoDir, upStack, type ComponentName } from '../stack/src/index.ts';
import { desiredSeedOf } from './demo/desired-records.ts';
import { DriftInjector } from './demo/drift-injector.ts';
import { Remediator } from './demo/remediator.ts';
import { seedMongo } from './demo/seed-mongo.ts';
import { demoOptionsFromEnv } from './start/demo-options.ts';
import { startDriftFeed, type DriftFeed } from './start/drift-feed.ts';
import { driftLine } from './start/drift-line.ts';
import { measureGroupLag, type GroupLag } from './start/group-lag.ts';
import { LiveView } from './start/live-view.ts';
import { scrapeCounts, type ServiceCounts } from './start/metrics-scrape.ts';
import { consumerGroups, runSettings, type PipelineSettings } from './start/pipeline-settings.ts';
import { provisionTopics } from './start/provision-topics.ts';
import { SERVICE_NAMES, type ServiceName } from './start/service-process.ts';
import { ServiceSet } from './start/service-set.ts';
import { StepProgress } from './start/step-progress.ts';

// `npm start`: the whole driftline pipeline on this machine, for a person to watch. Brings up the
// local stack (or reuses it), starts a simulated fleet, seeds matching platform records in MongoDB
// (some drifting), provisions the topics, runs the four services as child processes and shows
// drift as it opens and resolves, counts per service and consumer lag. A simulated operator
// applies the operations (so drift resolves) and a random CR is scaled now and then (so new drift
// opens). Ctrl-C stops the services, the fleet, and the stack components this run started.
// Every run uses its own topics, consumer groups and MongoDB database (`demo-<time>`), dropped on
// exit unless DEMO_KEEP_DATA=true. Sizes: see scripts/start/demo-options.ts.

const options = demoOptionsFromEnv(process.env);
const progress = new StepProgress();
const stackConfig = loadStackConfig(process.env, repoDir);
const runId = `demo-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}`;
const demoDir = join(stackConfig.stackDir, 'demo');
const logDir = join(demoDir, runId);

const startedStack: ComponentName[] = [];
let fleet: Fleet | undefined;
let mongo: MongoClient | undefined;
let services: ServiceSet | undefined;
let feed: DriftFeed | undefined;
let admin: KafkaAdminPort | undefined;
let remediator: Remediator | undefined;
let injector: DriftInjector | undefined;
let settings: PipelineSettings | undefined;
let ticker: NodeJS.Timeout | undefined;
const view = new LiveView();
let stopping: Promise<void> | undefined;

async function shutdown(reason: string): Promise<void> {
  if (ticker !== undefined) clearInterval(ticker);
  view.close();
  console.log(`\nstopping (${reason})…`);
  remediator?.stop();
  injector?.stop();
  const quietly = async (title: string, work: () => Promise<unknown>): Promise<void> => {
    await progress.step(title, work).catch(() => undefined);
  };
  const [set, driftFeed, sim] = [services, feed, fleet];
  if (set !== undefined) await quietly('services stopped (drained and committed)', () => set.stopAll());
  if (driftFeed !== undefined) await quietly('drift feed closed', () => driftFeed.stop());
  if (sim !== undefined) await quietly('simulated fleet stopped', () => sim.stop());
  if (!options.keepData && settings !== undefined) {
    const s = settings;
    await quietly(`demo database ${s.mongoDatabase} dropped`, async () =>
      mongo?.db(s.mongoDatabase).dropDatabase(),
    );
    await quietly(`demo topics ${runId}.* deleted`, async () => {
      const raw = createKafkaClient(
        { brokers: s.kafkaBrokers, clientId: `${runId}-cleanup` },
        quietLogger,
      ).admin();
      await raw.connect();
      try {
        const all = await raw.listTopics();
        await raw.deleteTopics({ topics: all.filter((t) => t.startsWith(`${runId}.`)) });
      } finally {
        await raw.disconnect();
      }
    });
  }
  await admin?.disconnect().catch(() => undefined);
  await mongo?.close().catch(() => undefined);
  if (startedStack.length > 0) {
    await quietly(`local stack stopped (${startedStack.join(', ')})`, () =>
      downStack(stackConfig, () => undefined, { only: startedStack }),
    );
  }
  await rm(join(demoDir, 'demo.json'), { force: true });
}

const quietLogger = createLogger({ service: 'start', level: 'fatal' });

function onSignal(signal: NodeJS.Signals): void {
  if (stopping !== undefined) {
    // A second Ctrl-C: stop waiting for graceful drains.
    console.log('second signal: killing the services');
    for (const p of services?.processes() ?? []) void p.kill();
    return;
  }
  stopping = shutdown(signal).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  console.log(
    `driftline — local demo: ${options.providers} providers × ${options.databasesPerProvider} databases, ${Math.round(options.driftRatio * 100)} % drifting (Ctrl-C stops everything)`,
  );
  const up = await progress.step(
    'local stack: Kafka (KRaft), schema registry, MongoDB-compatible server with change streams',
    () => upStack(stackConfig, () => undefined, 'cli'),
    (r) => r.components.map((c) => `${c.name} ${c.state}`).join(', '),
  );
  startedStack.push(...up.components.filter((c) => c.state === 'started').map((c) => c.name));
  const endpoints = up.endpoints;

  fleet = await progress.step(
    `simulated fleet: ${options.providers} provider clusters`,
    async () => {
      const f = await Fleet.start({ clusterCount: options.providers, bookmarkIntervalMs: 5_000 });
      f.seed({ count: options.databasesPerProvider });
      return f;
    },
    (f) => f.clusters.map((c) => `${c.id} ${c.server}`).join(', '),
  );
  const seed = desiredSeedOf(fleet.clusters, options.driftRatio);
  const client = new MongoClient(endpoints.mongoUrl);
  mongo = client;
  const db = client.db(`driftline_${runId.replace('-', '_')}`);
  await progress.step(
    'MongoDB seeded: providers and databases collections',
    async () => {
      await client.connect();
      await seedMongo(db, seed);
    },
    () =>
      `${seed.providers.length} providers, ${seed.databases.length} databases, ${seed.drifting.size} drifting, in ${db.databaseName}`,
  );

  settings = await runSettings({
    endpoints,
    mongoDatabase: db.databaseName,
    runId,
    partitions: 6,
    reconcilerPersistMs: options.persistMs,
    logLevel: 'info',
  });
  const s = settings;
  const kafka = createKafkaClient(
    { brokers: endpoints.kafkaBrokers, clientId: `${runId}-start` },
    quietLogger,
  );
  await progress.step(
    'Kafka topics provisioned',
    () => provisionTopics(kafka, s),
    () => `${runId}.driftline.*.v1, ${s.partitions} partitions each`,
  );

  await mkdir(logDir, { recursive: true });
  await writeFile(
    join(demoDir, 'demo.json'),
    `${JSON.stringify({ runId, brokers: s.kafkaBrokers, groups: consumerGroups(s) }, null, 2)}\n`,
  );
  const set = new ServiceSet(s, logDir);
  services = set;
  for (const name of SERVICE_NAMES) {
    await progress.step(
      `${name} running`,
      () => set.start(name),
      (p) => `pid ${p.pid}, http://127.0.0.1:${s.ports[name]}/metrics`,
    );
  }
  progress.note(`service logs: ${logDir}/<service>.log · lag for humans: node scripts/lag.ts`);

  const keyStatus = new Map<string, string>();
  let driftEvents = 0;
  feed = await startDriftFeed({
    kafka,
    schemaRegistryUrl: endpoints.schemaRegistryUrl,
    topic: s.topics.drift,
    groupId: `${runId}-live-view`,
    onEvent: ({ event, receivedAtMs }) => {
      driftEvents += 1;
      keyStatus.set(event.key, event.status);
      view.event(driftLine(event, receivedAtMs));
    },
  });
  if (options.remediateDelayMs > 0)
    remediator = new Remediator(db, fleet, { intervalMs: 1000, delayMs: options.remediateDelayMs });
  if (options.injectIntervalMs > 0) injector = new DriftInjector(fleet, options.injectIntervalMs);

  const lagAdmin = await createKafkaAdmin(kafka);
  admin = lagAdmin;
  const counts = new Map<ServiceName, ServiceCounts>();
  let lag: GroupLag[] = [];
  let operations = { total: 0, outstanding: 0, achieved: 0 };
  let refreshing = false;
  const exited = new Set<ServiceName>();
  const refresh = async (): Promise<void> => {
    for (const name of SERVICE_NAMES) {
      counts.set(name, await scrapeCounts(s.ports[name]));
      if (set.get(name) === undefined && !exited.has(name)) {
        exited.add(name);
        view.event(`!! ${name} is not running — see ${join(logDir, `${name}.log`)}`);
      }
    }
    lag = await measureGroupLag(lagAdmin, consumerGroups(s)).catch(() => lag);
    const ops = db.collection('operations');
    operations = {
      total: await ops.countDocuments(),
      outstanding: await ops.countDocuments({ outcome: 'outstanding' }),
      achieved: await ops.countDocuments({ outcome: 'achieved' }),
    };
    view.status({
      title: `driftline ${runId}`,
      openDrift: [...keyStatus.values()].filter((v) => v !== 'resolved').length,
      driftEvents,
      operations,
      remediated: remediator?.applied ?? 0,
      injected: injector?.injected ?? 0,
      services: counts,
      lag,
    });
  };
  ticker = setInterval(() => {
    if (refreshing || stopping !== undefined) return;
    refreshing = true;
    refresh()
      .catch(() => undefined)
      .finally(() => {
        refreshing = false;
      });
  }, 1000);
} catch (error) {
  console.error(`\nstart failed: ${error instanceof Error ? error.message : String(error)}`);
  if (stopping === undefined) stopping = shutdown('start-up failed').finally(() => process.exit(1));
}
