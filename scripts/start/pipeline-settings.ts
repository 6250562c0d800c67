import { randomBytes } from 'node:crypto';
import type { TopicId } from '@driftline/schemas';
import { freePort } from './free-port.ts';
import type { ServiceName } from './service-process.ts';

/**
 * PipelineSettings is everything that makes one running pipeline distinct from another on the
 * same stack: endpoints, the MongoDB database, topic names, consumer-group ids, ops-server ports
 * and the credentials key the desired service seals with and the watcher opens with. Tests give
 * every run its own names so runs never see each other's records.
 */
export interface PipelineSettings {
  readonly kafkaBrokers: readonly string[];
  readonly schemaRegistryUrl: string;
  readonly mongoUrl: string;
  readonly mongoDatabase: string;
  readonly topics: Readonly<Record<TopicId, string>>;
  /** Prefix of every consumer-group id, the desired instance name and the lease topic. */
  readonly groupPrefix: string;
  readonly ports: Readonly<Record<ServiceName, number>>;
  /** Partition count of every driftline topic (co-partitioned ones must agree; all do here). */
  readonly partitions: number;
  /** Base64 of the 32-byte AES-256-GCM key sealing provider credentials (a demo/test key). */
  readonly credentialsKey: string;
  /** How long a drift condition must hold before the reconciler emits it (0 = at once). */
  readonly reconcilerPersistMs: number;
  readonly logLevel: string;
  /** Extra variables per service (tuning for benchmarks). */
  readonly extraEnv?: Partial<Readonly<Record<ServiceName, Readonly<Record<string, string>>>>>;
}

/** DEFAULT_TOPICS are the contract's default topic names. */
export const DEFAULT_TOPICS: Readonly<Record<TopicId, string>> = {
  providers: 'driftline.providers.v1',
  providerHealth: 'driftline.provider-health.v1',
  desired: 'driftline.desired.v1',
  observed: 'driftline.observed.v1',
  drift: 'driftline.drift.v1',
  operations: 'driftline.operations.v1',
  deadletter: 'driftline.deadletter.v1',
};

/** prefixedTopics returns the default names with `<prefix>.` in front (a run's own topics). */
export function prefixedTopics(prefix: string): Record<TopicId, string> {
  const out = {} as Record<TopicId, string>;
  for (const [id, name] of Object.entries(DEFAULT_TOPICS)) out[id as TopicId] = `${prefix}.${name}`;
  return out;
}

/** newCredentialsKey returns a fresh random 32-byte key, base64 (never reused across runs). */
export function newCredentialsKey(): string {
  return randomBytes(32).toString('base64');
}

/** RunSettingsInput is what differs between runs; everything else `runSettings` derives. */
export interface RunSettingsInput {
  readonly endpoints: {
    readonly kafkaBrokers: readonly string[];
    readonly schemaRegistryUrl: string;
    readonly mongoUrl: string;
  };
  readonly mongoDatabase: string;
  /** The run's id: topic prefix, consumer-group prefix, instance name. */
  readonly runId: string;
  readonly partitions: number;
  readonly reconcilerPersistMs: number;
  readonly logLevel: string;
  readonly extraEnv?: PipelineSettings['extraEnv'];
}

/**
 * runSettings gives one run of the pipeline its own topics (`<runId>.driftline.*.v1`), consumer
 * groups, free ops ports and a fresh credentials key, so runs on one stack never see each other.
 */
export async function runSettings(input: RunSettingsInput): Promise<PipelineSettings> {
  return {
    kafkaBrokers: input.endpoints.kafkaBrokers,
    schemaRegistryUrl: input.endpoints.schemaRegistryUrl,
    mongoUrl: input.endpoints.mongoUrl,
    mongoDatabase: input.mongoDatabase,
    topics: prefixedTopics(input.runId),
    groupPrefix: input.runId,
    ports: {
      desired: await freePort(),
      watcher: await freePort(),
      reconciler: await freePort(),
      sink: await freePort(),
    },
    partitions: input.partitions,
    credentialsKey: newCredentialsKey(),
    reconcilerPersistMs: input.reconcilerPersistMs,
    logLevel: input.logLevel,
    ...(input.extraEnv === undefined ? {} : { extraEnv: input.extraEnv }),
  };
}

const CREDENTIALS_KEY_ID = 'demo-k1';

/**
 * serviceEnv returns the environment of one service for `settings`: shared Kafka/registry/Mongo
 * endpoints and topic names, then the service's own group id, port and tuning. Variable names are
 * those of each service's `configSchema` (services/<name>/src/config.ts).
 */
export function serviceEnv(name: ServiceName, settings: PipelineSettings): Record<string, string> {
  const t = settings.topics;
  const common: Record<string, string> = {
    LOG_LEVEL: settings.logLevel,
    KAFKA_BROKERS: settings.kafkaBrokers.join(','),
    KAFKA_CLIENT_ID: `${settings.groupPrefix}-${name}`,
    SCHEMA_REGISTRY_URL: settings.schemaRegistryUrl,
    TOPIC_PROVIDERS: t.providers,
    TOPIC_PROVIDER_HEALTH: t.providerHealth,
    TOPIC_DESIRED: t.desired,
    TOPIC_OBSERVED: t.observed,
    TOPIC_DRIFT: t.drift,
    TOPIC_OPERATIONS: t.operations,
    TOPIC_DEADLETTER: t.deadletter,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(settings.ports[name]),
  };
  const mongo = { MONGO_URL: settings.mongoUrl, MONGO_DATABASE: settings.mongoDatabase };
  const own: Record<ServiceName, Record<string, string>> = {
    desired: {
      ...mongo,
      DESIRED_INSTANCE_NAME: `${settings.groupPrefix}-desired`,
      DESIRED_LEASE_TOPIC: `${settings.groupPrefix}.driftline.desired-lease.v1`,
      DESIRED_TOPIC_PARTITIONS_COUNT: String(settings.partitions),
      DESIRED_CREDENTIALS_KEY_ID: CREDENTIALS_KEY_ID,
      DESIRED_CREDENTIALS_KEY: settings.credentialsKey,
      // A demo restarts often; a dead instance's lease should move quickly.
      DESIRED_LEASE_SESSION_TIMEOUT_MS: '6000',
    },
    watcher: {
      WATCHER_ID: `${settings.groupPrefix}-watcher`,
      WATCHER_GROUP_ID: `${settings.groupPrefix}-watcher`,
      WATCHER_SESSION_TIMEOUT_MS: '6000',
      WATCHER_CREDENTIALS_KEY_ID: CREDENTIALS_KEY_ID,
      WATCHER_CREDENTIALS_KEY: settings.credentialsKey,
      // The local fleet answers in microseconds; client-go's 5/s would pace the initial lists.
      WATCHER_RATE_PER_SECOND: '100',
      WATCHER_RATE_BURST_COUNT: '100',
      WATCHER_HEALTH_INTERVAL_MS: '2000',
    },
    reconciler: {
      RECONCILER_GROUP_ID: `${settings.groupPrefix}-reconciler`,
      RECONCILER_SESSION_TIMEOUT_MS: '6000',
      RECONCILER_PERSIST_MS: String(settings.reconcilerPersistMs),
      RECONCILER_LAG_INTERVAL_MS: '2000',
    },
    sink: {
      ...mongo,
      SINK_GROUP_ID: `${settings.groupPrefix}-sink`,
      SINK_TOPIC_PARTITIONS_COUNT: String(settings.partitions),
    },
  };
  return { ...common, ...own[name], ...settings.extraEnv?.[name] };
}

/** consumerGroups lists the consumer groups of a pipeline with the topics each reads (for lag). */
export function consumerGroups(settings: PipelineSettings): { group: string; topics: string[] }[] {
  const t = settings.topics;
  return [
    { group: `${settings.groupPrefix}-watcher`, topics: [t.providers] },
    { group: `${settings.groupPrefix}-reconciler`, topics: [t.desired, t.observed] },
    { group: `${settings.groupPrefix}-sink`, topics: [t.operations, t.observed, t.drift] },
  ];
}
