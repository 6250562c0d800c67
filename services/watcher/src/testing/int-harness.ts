import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Fleet, type SimCluster } from '@driftline/fleet-sim';
import type { ObservedDatabase, ProviderHealth, ProviderRecord } from '@driftline/schemas';
import { loadConfig } from '@driftline/shared/config';
import { createKeyring, sealCredentials } from '@driftline/shared/credentials';
import {
  createAvroSerde,
  createConsumerRunner,
  createIdempotentProducer,
  createKafkaAdmin,
  createKafkaClient,
  driftlineTopicSet,
  type AvroSerde,
  type KafkaClient,
  type KafkaConsumerPort,
  type OutgoingRecord,
} from '@driftline/shared/kafka';
import { createLogger, type Logger } from '@driftline/shared/logging';
import { configSchema } from '../config.ts';
import type { WatcherEvent } from '../events.ts';
import { startWatcherService, type WatcherService } from '../service.ts';

/** ObservedMessage is one record seen on the test's observed topic, decoded. */
export interface ObservedMessage {
  readonly key: string;
  readonly value: ObservedDatabase | null;
  readonly partition: number;
  readonly offset: string;
  readonly receivedAtMs: number;
  /** The record's Kafka timestamp (CreateTime: when the watcher's producer sent it). */
  readonly kafkaTimestampMs: number;
}

/** HarnessOptions shape one integration scenario. */
export interface HarnessOptions {
  readonly kafkaBrokers: string[];
  readonly schemaRegistryUrl: string;
  readonly providers: number;
  readonly databasesPerProvider: number;
  readonly bookmarkIntervalMs?: number;
  readonly historyWindow?: number;
  /** Simulated clusters serve HTTPS; provider records then carry the CA and refuse plain http. */
  readonly tls?: boolean;
  readonly logLevel?: 'silent' | 'info' | 'debug';
}

/**
 * WatcherHarness runs one integration scenario against the real broker and an in-process
 * simulated fleet: per-run topic names (so runs never see each other's records), provider
 * records with sealed credentials on the providers topic, watcher instances started and
 * stopped in-process, and a consumer that collects everything written to the observed and
 * provider-health topics. Everything it starts, `stop()` stops.
 */
export class WatcherHarness {
  readonly run = randomUUID().slice(0, 8);
  readonly topics: { providers: string; observed: string; providerHealth: string };
  readonly observed: ObservedMessage[] = [];
  readonly health: ProviderHealth[] = [];
  readonly events: WatcherEvent[] = [];
  /** When each event was seen (wall clock), parallel to `events`. */
  readonly eventTimes: { type: WatcherEvent['type']; atMs: number }[] = [];
  readonly keyBase64 = randomBytes(32).toString('base64');
  readonly logger: Logger;
  fleet!: Fleet;
  readonly #o: HarnessOptions;
  #kafka!: KafkaClient;
  #serde!: AvroSerde;
  #collector: KafkaConsumerPort | undefined;
  readonly #services = new Set<WatcherService>();
  readonly #children = new Set<ChildProcess>();
  readonly #latest = new Map<string, ObservedDatabase | null>();

  constructor(options: HarnessOptions) {
    this.#o = options;
    const p = `watcher-it-${this.run}`;
    this.topics = {
      providers: `${p}.providers`,
      observed: `${p}.observed`,
      providerHealth: `${p}.provider-health`,
    };
    this.logger = createLogger({ service: 'watcher-it', level: options.logLevel ?? 'silent' });
  }

  async start(): Promise<void> {
    this.#kafka = createKafkaClient(
      { brokers: this.#o.kafkaBrokers, clientId: `watcher-it-${this.run}` },
      this.logger,
    );
    const admin = await createKafkaAdmin(this.#kafka);
    const p = `watcher-it-${this.run}`;
    await admin.ensureTopics(
      driftlineTopicSet({
        coPartitionedPartitions: 6,
        otherPartitions: 4,
        replicationFactor: 1,
        names: {
          providers: this.topics.providers,
          providerHealth: this.topics.providerHealth,
          observed: this.topics.observed,
          desired: `${p}.desired`,
          drift: `${p}.drift`,
          operations: `${p}.operations`,
          deadletter: `${p}.deadletter`,
        },
      }).filter((t) => Object.values(this.topics).includes(t.name)),
    );
    await admin.disconnect();
    this.#serde = createAvroSerde({
      schemaRegistryUrl: this.#o.schemaRegistryUrl,
      topicNames: {
        providers: this.topics.providers,
        observed: this.topics.observed,
        providerHealth: this.topics.providerHealth,
      },
    });
    this.fleet = await Fleet.start({
      clusterCount: this.#o.providers,
      idPrefix: `p${this.run}`,
      bookmarkIntervalMs: this.#o.bookmarkIntervalMs ?? 1000,
      ...(this.#o.historyWindow === undefined ? {} : { historyWindow: this.#o.historyWindow }),
      tls: this.#o.tls === true,
    });
    if (this.#o.databasesPerProvider > 0) this.fleet.seed({ count: this.#o.databasesPerProvider });
    const collector = createConsumerRunner(this.#kafka, {
      groupId: `watcher-it-collector-${this.run}`,
      topics: [this.topics.observed, this.topics.providerHealth],
      logger: this.logger,
      maxWaitTimeMs: 50,
      handler: async (batch) => {
        for (const record of batch.records) {
          if (batch.topic === this.topics.providerHealth) {
            const health = await this.#serde.decode('providerHealth', record.value);
            if (health !== null) this.health.push(health);
            continue;
          }
          const key = record.key ?? '';
          const value = await this.#serde.decode('observed', record.value);
          this.#latest.set(key, value);
          this.observed.push({
            key,
            value,
            partition: batch.partition,
            offset: record.offset,
            receivedAtMs: Date.now(),
            kafkaTimestampMs: record.timestampMs,
          });
        }
      },
    });
    this.#collector = collector;
    await collector.start();
  }

  /** providerRecord builds the providers.v1 record of a fleet cluster with sealed credentials. */
  providerRecord(id: string, credentials?: unknown, generation = 1): ProviderRecord {
    const cluster = this.fleet.cluster(id);
    const keyring = createKeyring('k1', this.keyBase64);
    return {
      id,
      displayName: null,
      server: cluster.server,
      kinds: ['MongoDB', 'Postgres', 'MySQL', 'Redis'],
      namespaces: [],
      allowInsecureHttp: cluster.caCertificate === undefined,
      credentialsRef: null,
      credentials: sealCredentials(keyring, id, credentials ?? defaultCredentials(cluster)),
      generation,
      sourceTimestampMs: Date.now(),
    };
  }

  /** publishProviders writes provider records (or tombstones, `value: null`) to the providers topic. */
  async publishProviders(records: readonly (ProviderRecord | { id: string; value: null })[]): Promise<void> {
    const producer = await createIdempotentProducer(this.#kafka);
    const messages: OutgoingRecord[] = [];
    for (const r of records) {
      messages.push({
        topic: this.topics.providers,
        key: r.id,
        value: 'value' in r ? null : await this.#serde.encode('providers', r),
      });
    }
    try {
      await producer.send(messages);
    } finally {
      await producer.disconnect();
    }
  }

  /** startWatcher starts an in-process watcher instance on this scenario's topics. */
  /** watcherEnv is the environment of a watcher instance on this scenario's topics. */
  watcherEnv(env: Record<string, string> = {}): Record<string, string> {
    return {
      KAFKA_BROKERS: this.#o.kafkaBrokers.join(','),
      KAFKA_CLIENT_ID: `watcher-it-${this.run}`,
      SCHEMA_REGISTRY_URL: this.#o.schemaRegistryUrl,
      TOPIC_PROVIDERS: this.topics.providers,
      TOPIC_OBSERVED: this.topics.observed,
      TOPIC_PROVIDER_HEALTH: this.topics.providerHealth,
      WATCHER_GROUP_ID: `watcher-it-${this.run}`,
      WATCHER_CREDENTIALS_KEY_ID: 'k1',
      WATCHER_CREDENTIALS_KEY: this.keyBase64,
      WATCHER_SESSION_TIMEOUT_MS: '10000',
      WATCHER_HEALTH_INTERVAL_MS: '2000',
      WATCHER_RATE_PER_SECOND: '50',
      WATCHER_RATE_BURST_COUNT: '50',
      HTTP_PORT: '0',
      ...env,
    };
  }

  async startWatcher(env: Record<string, string> = {}): Promise<WatcherService> {
    const config = loadConfig(configSchema, this.watcherEnv(env));
    const service = await startWatcherService({
      config,
      logger: this.logger,
      opsServer: env['HTTP_PORT'] !== undefined,
      emit: (e) => {
        this.events.push(e);
        this.eventTimes.push({ type: e.type, atMs: Date.now() });
      },
    });
    this.#services.add(service);
    return service;
  }

  /**
   * spawnWatcher runs a watcher instance as its own process (`main.ts`), so a test can kill it
   * without a goodbye (SIGKILL: no LeaveGroup, no flush). Resolves once it logged that it started,
   * with its ops server port. `stop()` kills it if the test did not.
   */
  async spawnWatcher(env: Record<string, string> = {}): Promise<{ child: ChildProcess; opsPort: number }> {
    const main = fileURLToPath(new URL('../main.ts', import.meta.url));
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, ...this.watcherEnv(env), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#children.add(child);
    const lines = createInterface({ input: child.stdout });
    const opsPort = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('spawned watcher did not start within 60 s')), 60_000);
      child.once('exit', (code) => reject(new Error(`spawned watcher exited with ${String(code)}`)));
      lines.on('line', (line) => {
        try {
          const entry = JSON.parse(line) as { msg?: string; opsPort?: number };
          if (entry.msg === 'watcher started') {
            clearTimeout(timer);
            resolve(entry.opsPort ?? 0);
          }
        } catch {
          // not a log line
        }
      });
    });
    return { child, opsPort };
  }

  /** stopWatcher stops one instance (graceful). */
  async stopWatcher(service: WatcherService): Promise<void> {
    this.#services.delete(service);
    await service.stop();
  }

  /** waitFor polls `condition` every 50 ms until true; rejects with `what` after `timeoutMs`. */
  async waitFor(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** waitForTakeover waits until `watcherId` reported a completed resync for every one of `providers`. */
  async waitForTakeover(watcherId: string, providers: readonly string[]): Promise<void> {
    await this.waitFor('takeover resync reported', () =>
      providers.every((id) =>
        this.health.some((h) => h.provider === id && h.watcherId === watcherId && h.lastResyncAtMs !== null),
      ),
    );
  }

  /**
   * keysPublishedSince returns the keys of every record published on observed.v1 after the first
   * `count` (one entry per record, sorted), once a second has passed for stragglers to arrive.
   */
  async keysPublishedSince(count: number): Promise<string[]> {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return this.observed
      .slice(count)
      .map((m) => m.key)
      .sort();
  }

  /** latest is the observed table as a consumer would see it: the last record per key (live view). */
  latest(): ReadonlyMap<string, ObservedDatabase | null> {
    return this.#latest;
  }

  /** countsByKey counts the records (values and tombstones) seen per key. */
  countsByKey(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const m of this.observed) counts.set(m.key, (counts.get(m.key) ?? 0) + 1);
    return counts;
  }

  async stop(): Promise<void> {
    for (const service of [...this.#services]) await this.stopWatcher(service).catch(() => undefined);
    for (const child of this.#children) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    }
    await this.#collector?.stop();
    await this.fleet?.stop();
  }
}

/** defaultCredentials are a cluster's bearer token, plus its certificate authority when it serves HTTPS. */
function defaultCredentials(cluster: SimCluster): Record<string, string> {
  return cluster.caCertificate === undefined
    ? { token: cluster.token }
    : {
        token: cluster.token,
        'certificate-authority-data': Buffer.from(cluster.caCertificate).toString('base64'),
      };
}
