/**
 * Benchmark (c): replay — rebuilding the reconciler's drift set from the start of the compacted
 * inputs, as `npm run replay` does (offline reader in a throwaway consumer group, latest record
 * per key, decode, reconcile in event time, drift set per key).
 *
 *   node test/bench/reconciler-replay.bench.ts [--events N] [--keys N] [--partitions N] [--no-write]
 *
 * `--events` input records (default 1,000,000: per key one desired record and nine observed
 * updates, `--keys` = events / 10) are produced as Avro to fresh topics first (not timed); then
 * the replay check runs in process and is timed phase by phase. events/s = input records /
 * (reading + decoding + reconciling). Fresh topics are not compacted yet, so every record is read.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createCompactedReader } from '@driftline/shared/kafka';
import { createLogger } from '@driftline/shared/logging';
import { replayCheck, type ReplayProgress } from '../../services/reconciler/src/replay-check.ts';
import { replacePart } from './reconciler-kafka.bench.ts';
import {
  connect,
  databaseKey,
  desiredFor,
  observedFor,
  produceInputs,
  provision,
  referenceLoopMs,
  uniqueNames,
  type InputRecord,
} from './reconciler-kafka-harness.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const EVENTS = option('events', 1_000_000);
const KEYS = option('keys', Math.max(1, Math.floor(EVENTS / 10)));
const PARTITIONS = option('partitions', 6);
const WRITE = !args.includes('--no-write');
const stack = {
  kafkaBrokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','),
  schemaRegistryUrl: process.env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081',
};
const out = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const names = uniqueNames('bench-replay');
  const connection = await connect(stack, names);
  await provision(connection.kafka, names, PARTITIONS);
  out(
    `reconciler-replay bench: ${EVENTS} input events, ${KEYS} keys, ${PARTITIONS} partitions, ${cpus().length} cores`,
  );
  const producedAt = Date.now();
  let produced = 0;
  const chunk: InputRecord[] = [];
  const flush = async () => {
    await produceInputs(connection, names, chunk, 5_000);
    produced += chunk.length;
    chunk.length = 0;
  };
  let rv = 1;
  for (let k = 0; k < KEYS && produced + chunk.length < EVENTS; k++) {
    chunk.push({ side: 'desired', key: databaseKey(k), value: desiredFor(k, 3) });
    if (chunk.length >= 20_000) await flush();
  }
  for (let round = 0; produced + chunk.length < EVENTS; round++) {
    for (let k = 0; k < KEYS && produced + chunk.length < EVENTS; k++) {
      chunk.push({
        side: 'observed',
        key: databaseKey(k),
        value: observedFor(k, (k + round) % 3 === 0 ? 4 : 3, rv++),
      });
      if (chunk.length >= 20_000) {
        await flush();
        if (produced % 100_000 === 0) out(`  produced ${produced}/${EVENTS}`);
      }
    }
  }
  await flush();
  out(`produced ${produced} records in ${Date.now() - producedAt} ms`);

  const logger = createLogger({ service: 'bench-replay', level: 'warn' });
  const admin = connection.kafka.admin();
  await admin.connect();
  const marks = new Map<string, number>();
  // CPU time (user + system, ms) at each mark: under load the wall-clock phases stretch, the CPU
  // each phase used does not (much).
  const cpuMarks = new Map<string, number>();
  const cpuMs = () => {
    const usage = process.cpuUsage(cpuStarted);
    return (usage.user + usage.system) / 1_000;
  };
  let latestInputs = 0;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const result = await replayCheck({
    topics: names.topics,
    config: { persistMs: 0, convergenceGraceMs: 0, staleAfterMs: 60_000 },
    serde: connection.serde,
    reader: createCompactedReader(connection.kafka, logger, {
      groupIdPrefix: 'bench-replay-reader',
      timeoutMs: 900_000,
    }),
    endOffsets: async (topic) =>
      (await admin.fetchTopicOffsets(topic)).map((o) => ({ topic, partition: o.partition, end: o.high })),
    onProgress: (p: ReplayProgress) => {
      const now = performance.now();
      if (!marks.has(p.phase)) {
        marks.set(p.phase, now);
        cpuMarks.set(p.phase, cpuMs());
      }
      if (p.phase === 'reconcile') latestInputs = p.inputs;
      // The last batch read ends the reading; compaction means the count rarely reaches the total.
      if (p.phase === 'read-inputs') {
        marks.set('inputs-read', now);
        cpuMarks.set('inputs-read', cpuMs());
      }
      if (p.phase === 'read-inputs' && p.records % 100_000 < 1_000) out(`  read ${p.records}/${p.total}`);
    },
  });
  const ended = performance.now();
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await admin.disconnect();
  const reconcileStart = marks.get('reconcile') ?? ended;
  const driftStart = marks.get('read-drift') ?? ended;
  const readEnd = marks.get('inputs-read') ?? reconcileStart;
  const waitStart = marks.get('wait-timers') ?? driftStart;
  const rebuildMs = driftStart - started;
  const readMs = readEnd - started;
  const decodeMs = reconcileStart - readEnd;
  const reconcileMs = waitStart - reconcileStart;
  const waitMs = driftStart - waitStart;
  const rate = result.inputRecords / (rebuildMs / 1_000);
  const cpuAt = (mark: string) => cpuMarks.get(mark) ?? cpuSeconds * 1_000;
  const readCpuMs = cpuAt('inputs-read');
  const decodeCpuMs = cpuAt('reconcile') - readCpuMs;
  const reconcileCpuMs = cpuAt(marks.has('wait-timers') ? 'wait-timers' : 'read-drift') - cpuAt('reconcile');
  const rebuildCpuMs = cpuAt('read-drift');
  const reference = referenceLoopMs();
  const load = loadavg()[0] ?? 0;
  out(
    `replay: ${result.inputRecords} records rebuilt in ${Math.round(rebuildMs)} ms = ${Math.round(rate)} events/s ` +
      `(read ${Math.round(readMs)} ms, order ${Math.round(decodeMs)} ms, decode and reconcile ${Math.round(reconcileMs)} ms, timers ${Math.round(waitMs)} ms); drift set ${result.comparison.keys} keys; ` +
      `CPU ${cpuSeconds.toFixed(1)} s (rebuild ${Math.round(rebuildCpuMs)} ms: read ${Math.round(readCpuMs)}, order ${Math.round(decodeCpuMs)}, decode and reconcile ${Math.round(reconcileCpuMs)}); ` +
      `reference loop ${Math.round(reference)} ms; load ${load.toFixed(1)}`,
  );
  await connection.close();
  if (WRITE) {
    const DOC = new URL('../../docs/benchmarks.md', import.meta.url);
    const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Benchmarks\n';
    const body = `### (c) Replay

\`node test/bench/reconciler-replay.bench.ts --events ${EVENTS}\` — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores
(${cpus()[0]?.model ?? 'unknown CPU'}), load average ${load.toFixed(1)} at the end of the run (other builds shared the machine).
${produced.toLocaleString('en-US')} Avro input events (${KEYS.toLocaleString('en-US')} keys: one desired record each, then updates of the observed
record) on ${PARTITIONS} co-partitioned partitions, rebuilt the way \`npm run replay\` and a partition assignment do: a
throwaway consumer group reads every record up to the high watermarks, keeps the latest per key and side
(${latestInputs.toLocaleString('en-US')}), orders them by event time, then decodes and replays them through a fresh reconciler a chunk at a time. The
broker's log cleaner had already compacted away ${(produced - result.inputRecords).toLocaleString('en-US')} superseded records when the
replay read the topics (the stack's compacted topics clean eagerly), so ${result.inputRecords.toLocaleString('en-US')} records were read.

| measure | figure | target |
|---|---|---|
| input history rebuilt per second (${produced.toLocaleString('en-US')} events / rebuild time) | **${Math.round(produced / (rebuildMs / 1_000)).toLocaleString('en-US')} events/s** (${Math.round(rebuildMs).toLocaleString('en-US')} ms) | ≥ 150,000 |
| records actually read per second | ${Math.round(rate).toLocaleString('en-US')} records/s | |
| of which reading the topics (kafkajs consumer, latest record per key) | ${Math.round(readMs).toLocaleString('en-US')} ms | |
| of which ordering the ${latestInputs.toLocaleString('en-US')} latest records by event time | ${Math.round(decodeMs).toLocaleString('en-US')} ms | |
| of which decoding and reconciling them, a chunk at a time (drift set: ${result.comparison.keys.toLocaleString('en-US')} keys) | ${Math.round(reconcileMs).toLocaleString('en-US')} ms | |
| of which waiting for the core's timers to settle | ${Math.round(waitMs).toLocaleString('en-US')} ms | |
| CPU time of the rebuild (read / order / decode and reconcile) | ${Math.round(rebuildCpuMs).toLocaleString('en-US')} ms (${Math.round(readCpuMs).toLocaleString('en-US')} / ${Math.round(decodeCpuMs).toLocaleString('en-US')} / ${Math.round(reconcileCpuMs).toLocaleString('en-US')}) | |
| CPU time of the replaying process (the drift topic's read and the comparison included) | ${cpuSeconds.toFixed(1)} s | |
| reference loop (50 M iterations; time it on an idle core to compare) | ${Math.round(reference)} ms | |`;
    writeFileSync(
      DOC,
      replacePart(doc, '<!-- reconciler-replay:start -->', '<!-- reconciler-replay:end -->', body),
    );
    out(`wrote ${DOC.pathname}`);
  }
}

await main();
