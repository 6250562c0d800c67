import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet } from '@driftline/fleet-sim';
import { createKafkaClient, type KafkaClient } from '@driftline/shared/kafka';
import { createLogger } from '@driftline/shared/logging';
import { MongoClient, type Db } from 'mongodb';
import { desiredSeedOf, type DesiredSeed } from '../../scripts/demo/desired-records.ts';
import { seedMongo } from '../../scripts/demo/seed-mongo.ts';
import { startDriftFeed, type DriftArrival, type DriftFeed } from '../../scripts/start/drift-feed.ts';
import { runSettings, type PipelineSettings } from '../../scripts/start/pipeline-settings.ts';
import { provisionTopics } from '../../scripts/start/provision-topics.ts';
import { logTail } from '../../scripts/start/readiness.ts';
import { ServiceSet } from '../../scripts/start/service-set.ts';
import type { ServiceName } from '../../scripts/start/service-process.ts';

/** PipelineEndpoints are the stack endpoints a pipeline runs against. */
export interface PipelineEndpoints {
  readonly kafkaBrokers: readonly string[];
  readonly schemaRegistryUrl: string;
  readonly mongoUrl: string;
}

/** PipelineOptions size one test pipeline. */
export interface PipelineOptions {
  readonly clusterCount: number;
  readonly databasesPerCluster: number;
  /** Share of databases whose desired record departs from the fleet at start (0 = none). */
  readonly driftRatio: number;
  /** RECONCILER_PERSIST_MS (default 0: drift is emitted as soon as it is seen). */
  readonly reconcilerPersistMs?: number;
  readonly partitions?: number;
  /** Start the four services (default true); false leaves it to the caller (`services.startAll()`). */
  readonly startServices?: boolean;
  readonly extraEnv?: PipelineSettings['extraEnv'];
  readonly logLevel?: string;
}

/**
 * TestPipeline is a whole driftline pipeline for one test: its own topics, consumer groups and
 * MongoDB database on the shared stack, an in-process simulated fleet, the platform records seeded
 * to match it (some drifting), the four services as child processes, and a feed of every drift
 * event (`drift`, appended as they arrive). `stop()` stops every process and client it started and
 * drops its MongoDB database; the Kafka topics stay (unique names, cheap) for post-mortems.
 */
export interface TestPipeline {
  readonly id: string;
  readonly settings: PipelineSettings;
  readonly fleet: Fleet;
  readonly mongo: MongoClient;
  readonly db: Db;
  readonly kafka: KafkaClient;
  readonly services: ServiceSet;
  readonly seed: DesiredSeed;
  readonly drift: DriftArrival[];
  readonly logDir: string;
  /** waitFor polls `check` every 100 ms until it returns true; rejects after `timeoutMs` naming `what`. */
  waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs?: number): Promise<void>;
  /** logs returns the last lines of every service's log (for failure messages). */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

/** startPipeline builds and starts a TestPipeline; on a failure it stops what it had started. */
export async function startPipeline(
  endpoints: PipelineEndpoints,
  options: PipelineOptions,
): Promise<TestPipeline> {
  const id = `e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
  const logDir = await mkdtemp(join(tmpdir(), `driftline-${id}-`));
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    const fleet = await Fleet.start({ clusterCount: options.clusterCount, bookmarkIntervalMs: 1_000 });
    cleanups.push(() => fleet.stop());
    fleet.seed({ count: options.databasesPerCluster });
    const seed = desiredSeedOf(fleet.clusters, options.driftRatio);

    const mongo = new MongoClient(endpoints.mongoUrl);
    await mongo.connect();
    cleanups.push(() => mongo.close());
    const db = mongo.db(`driftline_${id.replaceAll('-', '_')}`);
    cleanups.push(() => db.dropDatabase());
    await seedMongo(db, seed);

    const settings = await runSettings({
      endpoints,
      mongoDatabase: db.databaseName,
      runId: id,
      partitions: options.partitions ?? 3,
      reconcilerPersistMs: options.reconcilerPersistMs ?? 0,
      logLevel: options.logLevel ?? 'info',
      ...(options.extraEnv === undefined ? {} : { extraEnv: options.extraEnv }),
    });
    const kafka = createKafkaClient(
      { brokers: endpoints.kafkaBrokers, clientId: `${id}-test` },
      createLogger({ service: 'e2e', level: 'error' }),
    );
    await provisionTopics(kafka, settings);

    const drift: DriftArrival[] = [];
    const feed: DriftFeed = await startDriftFeed({
      kafka,
      schemaRegistryUrl: endpoints.schemaRegistryUrl,
      topic: settings.topics.drift,
      groupId: `${id}-drift-feed`,
      onEvent: (arrival) => drift.push(arrival),
    });
    cleanups.push(() => feed.stop());

    const services = new ServiceSet(settings, logDir);
    cleanups.push(() => services.stopAll());
    if (options.startServices ?? true) await services.startAll();

    const logs = async (): Promise<string> => {
      const names: ServiceName[] = ['desired', 'watcher', 'reconciler', 'sink'];
      const parts = await Promise.all(
        names.map(async (name) => {
          const state = services.get(name) === undefined ? 'not running' : 'running';
          return `--- ${name} (${state})\n${await logTail(join(logDir, `${name}.log`), 8)}`;
        }),
      );
      return parts.join('\n');
    };
    return {
      id,
      settings,
      fleet,
      mongo,
      db,
      kafka,
      services,
      seed,
      drift,
      logDir,
      logs,
      async waitFor(what, check, timeoutMs = 60_000) {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
          if (await check()) return;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${await logs()}`);
      },
      async stop() {
        await cleanup();
        await rm(logDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
