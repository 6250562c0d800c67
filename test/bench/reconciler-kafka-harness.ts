/**
 * Shared harness of the reconciler's integration tests and Kafka benchmarks: unique topic names
 * and groups, topic provisioning, the reconciler as a child process (`node
 * services/reconciler/src/main.ts`), Avro producers of desired/observed records, and readers of
 * whole topics.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DesiredDatabase, ObservedDatabase, TopicId, TopicValues } from '@driftline/schemas';
import {
  createAvroSerde,
  createCompactedReader,
  createIdempotentProducer,
  createKafkaAdmin,
  createKafkaClient,
  driftlineTopicSet,
  type AvroSerde,
  type ConsumedRecord,
  type KafkaClient,
  type KafkaProducerPort,
  type OutgoingRecord,
} from '@driftline/shared/kafka';
import { createLogger, type Logger } from '@driftline/shared/logging';
import { spawnNodeService, type ChildService } from '@driftline/shared/testing';
import { HealthTable } from '../../services/reconciler/src/kafka-health-table.ts';
import { DriftSetBuilder } from '../../services/reconciler/src/output-hash.ts';
import { PartitionReconciler } from '../../services/reconciler/src/partition-reconciler.ts';

const mainPath = fileURLToPath(new URL('../../services/reconciler/src/main.ts', import.meta.url));
const replayPath = fileURLToPath(new URL('../../services/reconciler/src/replay.ts', import.meta.url));

/** StackLike is the subset of the stack endpoints the harness needs. */
export interface StackLike {
  readonly kafkaBrokers: readonly string[];
  readonly schemaRegistryUrl: string;
}

/** ReconcilerNames are one test's topics (by topic id) and consumer group. */
export interface ReconcilerNames {
  readonly topics: Record<TopicId, string>;
  readonly groupId: string;
}

/** uniqueNames returns fresh topic names and a fresh group, so tests never share state. */
export function uniqueNames(prefix: string): ReconcilerNames {
  const id = `${prefix}-${randomUUID().slice(0, 8)}`;
  return {
    topics: {
      providers: `${id}.providers`,
      providerHealth: `${id}.provider-health`,
      desired: `${id}.desired`,
      observed: `${id}.observed`,
      drift: `${id}.drift`,
      operations: `${id}.operations`,
      deadletter: `${id}.deadletter`,
    },
    groupId: `${id}-reconciler`,
  };
}

/** provision creates the test's topics (co-partitioned ones with `partitions` partitions). */
export async function provision(
  kafka: KafkaClient,
  names: ReconcilerNames,
  partitions: number,
): Promise<void> {
  // A loaded broker may answer the metadata check of new topics before they are hosted; retry.
  for (let attempt = 1; ; attempt++) {
    try {
      await provisionOnce(kafka, names, partitions);
      return;
    } catch (error) {
      const retryable = error instanceof Error && (error as { retryable?: boolean }).retryable === true;
      if (attempt >= 5 || !retryable) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
    }
  }
}

async function provisionOnce(kafka: KafkaClient, names: ReconcilerNames, partitions: number): Promise<void> {
  const admin = await createKafkaAdmin(kafka);
  try {
    await admin.ensureTopics(
      driftlineTopicSet({
        coPartitionedPartitions: partitions,
        otherPartitions: 1,
        replicationFactor: 1,
        names: names.topics,
      }),
    );
  } finally {
    await admin.disconnect();
  }
}

/** environmentFor builds the reconciler's environment for one test. */
export function environmentFor(
  stack: StackLike,
  names: ReconcilerNames,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    TOPIC_PROVIDERS: names.topics.providers,
    TOPIC_PROVIDER_HEALTH: names.topics.providerHealth,
    TOPIC_DESIRED: names.topics.desired,
    TOPIC_OBSERVED: names.topics.observed,
    TOPIC_DRIFT: names.topics.drift,
    TOPIC_OPERATIONS: names.topics.operations,
    TOPIC_DEADLETTER: names.topics.deadletter,
    RECONCILER_GROUP_ID: names.groupId,
    RECONCILER_PERSIST_MS: '0',
    RECONCILER_CONVERGENCE_GRACE_MS: '0',
    RECONCILER_SESSION_TIMEOUT_MS: '6000',
    RECONCILER_LAG_INTERVAL_MS: '1000',
    HTTP_PORT: '0',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** startReconciler spawns `node services/reconciler/src/main.ts` with `env`. */
export function startReconciler(env: Record<string, string>): ChildService {
  return spawnNodeService(mainPath, [], env);
}

/** runReplay spawns the replay CLI with `args` and resolves with its exit code and output once it exits. */
export async function runReplay(
  env: Record<string, string>,
  args: readonly string[] = [],
): Promise<{ code: number | null; lines: string[] }> {
  const replay = spawnNodeService(replayPath, args, env);
  const code = await replay.exited;
  // Let the last 'data' events drain.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, lines: replay.lines };
}

/** Connection is a client, producer and serde for one test or benchmark. */
export interface Connection {
  readonly kafka: KafkaClient;
  readonly producer: KafkaProducerPort;
  readonly serde: AvroSerde;
  readonly logger: Logger;
  close(): Promise<void>;
}

/** connect opens a Kafka client, an idempotent producer and an Avro serde on the test's topic names. */
export async function connect(stack: StackLike, names: ReconcilerNames): Promise<Connection> {
  const logger = createLogger({ service: 'reconciler-test', level: 'warn' });
  const kafka = createKafkaClient({ brokers: [...stack.kafkaBrokers], clientId: 'reconciler-test' }, logger);
  const serde = createAvroSerde({ schemaRegistryUrl: stack.schemaRegistryUrl, topicNames: names.topics });
  const producer = await createIdempotentProducer(kafka);
  return { kafka, producer, serde, logger, close: () => producer.disconnect() };
}

/** InputRecord is one desired or observed record (or tombstone) to produce. */
export type InputRecord =
  | { readonly side: 'desired'; readonly key: string; readonly value: DesiredDatabase | null }
  | { readonly side: 'observed'; readonly key: string; readonly value: ObservedDatabase | null };

/** encodeInputs encodes input records for their topics (key = database key). */
export async function encodeInputs(
  connection: Connection,
  names: ReconcilerNames,
  inputs: readonly InputRecord[],
): Promise<OutgoingRecord[]> {
  const records: OutgoingRecord[] = [];
  for (const input of inputs) {
    const value =
      input.side === 'desired'
        ? await connection.serde.encode('desired', input.value)
        : await connection.serde.encode('observed', input.value);
    records.push({ topic: names.topics[input.side], key: input.key, value });
  }
  return records;
}

/** produceInputs sends input records in chunks of `chunk`, in order. */
export async function produceInputs(
  connection: Connection,
  names: ReconcilerNames,
  inputs: readonly InputRecord[],
  chunk = 500,
): Promise<void> {
  for (let i = 0; i < inputs.length; i += chunk) {
    await connection.producer.send(await encodeInputs(connection, names, inputs.slice(i, i + chunk)));
  }
}

/** DecodedRecord is a consumed record with its decoded value. */
export interface DecodedRecord<T> {
  readonly record: ConsumedRecord;
  readonly value: T | null;
}

/** readTopic reads a whole topic (every partition up to its current end) and decodes the values. */
export async function readTopic<K extends TopicId>(
  connection: Connection,
  topic: string,
  id: K,
): Promise<DecodedRecord<TopicValues[K]>[]> {
  const reader = createCompactedReader(connection.kafka, connection.logger, {
    groupIdPrefix: 'reconciler-test-reader',
    timeoutMs: 60_000,
  });
  const out: DecodedRecord<TopicValues[K]>[] = [];
  await reader.scan({ topics: [topic] }, async (records) => {
    for (const record of records)
      out.push({ record, value: await connection.serde.decode(id, record.value) });
  });
  return out;
}

/** eventually polls `check` every 500 ms until it is true or `timeoutMs` passes (then throws with `describe()`). */
export async function eventually(
  check: () => Promise<boolean>,
  describe: () => Promise<string> | string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms: ${await describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const KINDS = ['MongoDB', 'Postgres', 'MySQL', 'Redis'] as const;

/** databaseKey is the i-th database key of a scenario (spread over 4 providers and kinds). */
export function databaseKey(i: number): string {
  return `prov-${i % 4}/team-${i % 7}/${KINDS[i % 4] ?? 'MongoDB'}/db-${i}`;
}

/**
 * desiredFor builds key i's desired record: generation `generation`, `replicas` replicas, the rest
 * fixed (what `observedFor` reports unless told otherwise).
 */
export function desiredFor(i: number, replicas: number, generation = 1): DesiredDatabase {
  const key = databaseKey(i);
  const [provider = '', namespace = '', kind = '', name = ''] = key.split('/');
  return {
    key,
    provider,
    namespace,
    kind,
    name,
    version: '7.0.12',
    replicas,
    storage: '10Gi',
    resources: { cpuRequest: '500m', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '2Gi' },
    halted: false,
    generation,
    sourceTimestampMs: 1_000 + generation,
    clusterTime: `${1_000 + generation}.1`,
    correlationId: `corr-d-${i}-${generation}`,
  };
}

/** observedFor builds key i's observed record at resourceVersion `resourceVersion`, settled (phase Ready). */
export function observedFor(i: number, replicas: number, resourceVersion: number): ObservedDatabase {
  const key = databaseKey(i);
  const [provider = '', namespace = '', kind = '', name = ''] = key.split('/');
  return {
    key,
    provider,
    namespace,
    kind,
    name,
    valid: true,
    invalidReason: null,
    version: '7.0.12',
    replicas,
    storage: '10240Mi',
    resources: { cpuRequest: '0.5', cpuLimit: '1000m', memoryRequest: '1024Mi', memoryLimit: '2Gi' },
    halted: false,
    phase: 'Ready',
    generation: 1,
    observedGeneration: 1,
    resourceVersion: String(resourceVersion),
    uid: `uid-${i}`,
    sourceTimestampMs: 2_000 + resourceVersion,
    observedAtMs: Date.now(),
    correlationId: `corr-o-${i}-${resourceVersion}`,
  };
}

/** ExpectedOutputs are the outputs the pure core gives for a sequence of inputs. */
export interface ExpectedOutputs {
  readonly driftEventIds: ReadonlySet<string>;
  readonly operationIds: ReadonlySet<string>;
  /** The drift set (key → hash), as output-hash computes it. */
  readonly driftSet: ReadonlyMap<string, string>;
}

/**
 * expectedOutputs runs `inputs`, in order, through the pure core (no persistence window, no
 * grace): the drift event ids and operation ids a correct service must produce — no more, no
 * fewer — whatever its crashes, redeliveries and rebalances.
 */
export function expectedOutputs(inputs: readonly InputRecord[]): ExpectedOutputs {
  const reconciler = new PartitionReconciler({
    partition: 0,
    config: { persistMs: 0, convergenceGraceMs: 0, staleAfterMs: 60_000 },
    health$: new HealthTable().changes$(),
    onTimerOutputs: () => undefined,
  });
  const outputs = reconciler.apply(
    inputs.map((input) =>
      input.side === 'desired'
        ? { type: 'desired' as const, change: { key: input.key, value: input.value } }
        : { type: 'observed' as const, change: { key: input.key, value: input.value } },
    ),
  );
  reconciler.dispose();
  const builder = new DriftSetBuilder();
  const driftEventIds = new Set<string>();
  const operationIds = new Set<string>();
  for (const output of outputs) {
    if (output.type === 'drift') {
      driftEventIds.add(output.event.eventId);
      builder.add(output.event);
    } else if (output.type === 'operation') {
      operationIds.add(output.operation.operationId);
    }
  }
  return { driftEventIds, operationIds, driftSet: builder.hashes() };
}

/**
 * referenceLoopMs times a fixed CPU-bound loop (50 M iterations):
 * how much slower this machine is right now, so benchmark figures from a loaded machine can be read.
 */
export function referenceLoopMs(): number {
  const started = performance.now();
  let x = 0;
  for (let i = 0; i < 50_000_000; i++) x = (x * 31 + i) % 1_000_003;
  return x < 0 ? Number.NaN : performance.now() - started;
}

// Linux reports a process's CPU time in clock ticks of 1/100 s (USER_HZ, fixed at 100 for userspace).
const TICKS_PER_SECOND = 100;

/**
 * processCpuMs is the CPU time (user + system, ms) a process has used so far, read from
 * /proc/<pid>/stat; null where that file does not exist. On a machine shared with other work the
 * wall-clock rate swings with the load, the CPU time a process spends per event much less.
 */
export function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the parenthesised command name (which may contain spaces): utime is the 14th
  // field of the line, stime the 15th, i.e. the 12th and 13th after the name.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1_000) / TICKS_PER_SECOND : null;
}
