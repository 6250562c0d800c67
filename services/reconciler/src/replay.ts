import { parseArgs } from 'node:util';
import { loadConfig } from '@driftline/shared/config';
import {
  createAvroSerde,
  createCompactedReader,
  createKafkaClient,
  kafkaClientConfigFromEnv,
  topicNamesFromEnv,
} from '@driftline/shared/kafka';
import { createLogger } from '@driftline/shared/logging';
import { configSchema } from './config.ts';
import { replayCheck, type ReplayProgress } from './replay-check.ts';
import { reconcilerConfigOf } from './service.ts';

// The replay check, for operators: `npm run replay` (or `node services/reconciler/src/replay.ts`).
// Rebuilds the drift set from the start of the compacted inputs with an offline reader (a
// throwaway consumer group that commits nothing, so the running reconcilers are not disturbed),
// compares it key by key with the drift set on the drift topic, prints one line per drifting key
// (`equal`/`different`) and a summary on stdout, progress on stderr. Exit code: 0 equal,
// 1 different, 2 the check could not run. Same environment variables as the reconciler.
const USAGE = `usage: replay [--quiet] [--json]
  --quiet  print only the keys that differ and the summary
  --json   print the summary as one JSON object (still one line per key unless --quiet)`;

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

let args: { quiet: boolean; json: boolean };
try {
  const parsed = parseArgs({
    options: { quiet: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  args = { quiet: parsed.values.quiet, json: parsed.values.json };
} catch (error) {
  err(error instanceof Error ? error.message : String(error));
  err(USAGE);
  process.exit(2);
}

const short = (hash: string | null) => (hash === null ? 'in-sync' : hash.slice(0, 12));
let lastProgressAt = 0;
const onProgress = (p: ReplayProgress) => {
  const now = Date.now();
  if (now - lastProgressAt < 1_000 && p.phase !== 'reconcile') return;
  lastProgressAt = now;
  if (p.phase === 'read-inputs' || p.phase === 'read-drift') {
    const pct = p.total === 0 ? 100 : Math.min(100, Math.round((p.records / p.total) * 100));
    err(
      `${p.phase === 'read-inputs' ? 'reading inputs' : 'reading drift topic'}: ${p.records}/${p.total} records (${pct}%)`,
    );
  } else if (p.phase === 'reconcile') {
    err(`reconciling ${p.inputs} latest records`);
  } else {
    err(`waiting out persistence windows: ${p.pending} keys pending`);
  }
};

try {
  const config = loadConfig(configSchema, process.env);
  const logger = createLogger({
    service: 'reconciler-replay',
    level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
  });
  const topics = topicNamesFromEnv(config);
  const kafka = createKafkaClient(kafkaClientConfigFromEnv(config), logger);
  const serde = createAvroSerde({
    schemaRegistryUrl: config.SCHEMA_REGISTRY_URL,
    clientId: config.KAFKA_CLIENT_ID,
    topicNames: topics,
    ...(config.SCHEMA_REGISTRY_USERNAME === ''
      ? {}
      : { auth: { username: config.SCHEMA_REGISTRY_USERNAME, password: config.SCHEMA_REGISTRY_PASSWORD } }),
  });
  const admin = kafka.admin();
  await admin.connect();
  const started = Date.now();
  const result = await replayCheck({
    topics,
    config: reconcilerConfigOf(config),
    serde,
    reader: createCompactedReader(kafka, logger, {
      groupIdPrefix: `${config.RECONCILER_GROUP_ID}-replay-reader`,
      timeoutMs: config.RECONCILER_REBUILD_TIMEOUT_MS,
    }),
    endOffsets: async (topic) =>
      (await admin.fetchTopicOffsets(topic)).map((o) => ({ topic, partition: o.partition, end: o.high })),
    onProgress,
  });
  await admin.disconnect();
  const { comparison } = result;
  if (!args.quiet) for (const key of comparison.equalKeys) out(`equal ${key}`);
  for (const d of comparison.different)
    out(`different ${d.key} replayed=${short(d.expected)} current=${short(d.actual)}`);
  const summary = {
    result: comparison.equal ? 'equal' : 'different',
    keysCompared: comparison.keys,
    equal: comparison.same,
    different: comparison.different.length,
    replayedDigest: result.replayedDigest,
    currentDigest: result.currentDigest,
    inputRecords: result.inputRecords,
    driftRecords: result.driftRecords,
    skippedInputs: result.skipped,
    pendingKeys: result.pending,
    tookMs: Date.now() - started,
  };
  if (args.json) out(JSON.stringify(summary));
  else
    out(
      `${summary.result.toUpperCase()}: ${summary.equal}/${summary.keysCompared} drifting keys equal, ${summary.different} different ` +
        `(inputs ${summary.inputRecords} records, drift topic ${summary.driftRecords} records, ${summary.pendingKeys} keys still pending, ` +
        `replayed ${summary.replayedDigest.slice(0, 12)} current ${summary.currentDigest.slice(0, 12)}, ${summary.tookMs} ms)`,
    );
  process.exit(comparison.equal ? 0 : 1);
} catch (error) {
  err(`replay check failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
