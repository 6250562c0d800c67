/**
 * Benchmark (b): the reconciler service through the real broker with Avro — the service runs as
 * its own process (`node services/reconciler/src/main.ts`), inputs are Avro records produced by
 * this script, outputs are read back from the drift topic.
 *
 *   node test/bench/reconciler-kafka.bench.ts [--keys N] [--events N] [--rate N] [--seconds N] [--partitions N] [--no-write]
 *
 * 1. Throughput: `--events` observed records are produced while the reconciler is stopped, then
 *    it is started and drains the backlog; events/s = events / (last drift record's CreateTime −
 *    first drift record's CreateTime). Every input flips its key between in sync and drifting,
 *    so every input yields exactly one drift event (and every other one an operation).
 * 2. Latency: with the reconciler running and idle, inputs are produced at `--rate` events/s for
 *    `--seconds`; latency per input = its drift event's record CreateTime − the input record's
 *    CreateTime (same host clock), matched by observed resourceVersion (unique per input).
 * Persistence window and convergence grace are 0 (a non-zero window adds itself to the latency).
 * Needs the local stack (`npm run stack:up` or a running integration setup).
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createCompactedReader } from '@driftline/shared/kafka';
import {
  connect,
  databaseKey,
  desiredFor,
  encodeInputs,
  environmentFor,
  observedFor,
  processCpuMs,
  produceInputs,
  provision,
  referenceLoopMs,
  startReconciler,
  uniqueNames,
  type Connection,
  type InputRecord,
  type ReconcilerNames,
} from './reconciler-kafka-harness.ts';
import type { ChildService } from '@driftline/shared/testing';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const KEYS = option('keys', 10_000);
const EVENTS = option('events', 200_000);
const RATE = option('rate', 5_000);
const SECONDS = option('seconds', 10);
const PARTITIONS = option('partitions', 6);
// Every input partition (desired and observed) at once by default: one fetch's batches are then
// handled together and their outputs share one produce request (the partition manager's group commit).
const CONCURRENCY = option('concurrency', 2 * PARTITIONS);
const WRITE = !args.includes('--no-write');
const stack = {
  kafkaBrokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','),
  schemaRegistryUrl: process.env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081',
};
const out = (line: string) => process.stdout.write(`${line}\n`);
const children: ChildService[] = [];

let rv = 1_000;
/** The i-th observed input: flips its key between drifting (4 replicas) and in sync (3). */
function observedInput(j: number): InputRecord {
  const k = j % KEYS;
  const round = Math.floor(j / KEYS);
  rv += 1;
  return { side: 'observed', key: databaseKey(k), value: observedFor(k, round % 2 === 0 ? 4 : 3, rv) };
}

async function endSum(connection: Connection, topic: string): Promise<number> {
  const admin = connection.kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, o) => sum + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** DrainSample is the drift topic's record count and the reconciler's CPU time at one poll. */
interface DrainSample {
  readonly count: number;
  readonly cpuMs: number | null;
}

async function waitForDrift(
  connection: Connection,
  topic: string,
  count: number,
  timeoutMs: number,
  pid?: number,
): Promise<DrainSample[]> {
  const deadline = Date.now() + timeoutMs;
  const samples: DrainSample[] = [];
  let last = -1;
  for (;;) {
    const now = await endSum(connection, topic);
    samples.push({ count: now, cpuMs: processCpuMs(pid) });
    if (now >= count) return samples;
    if (Date.now() > deadline) {
      for (const child of children) out(child.lines.slice(-20).join('\n'));
      throw new Error(`drift topic has ${now} of ${count} records after ${timeoutMs} ms`);
    }
    if (now !== last) out(`  drift records: ${now}/${count}`);
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/**
 * cpuPerEventUs is the reconciler's CPU time per drift record between the first poll that saw
 * the drain under way and the last one (start-up and the partition rebuild left out); null
 * without /proc or with fewer than two such polls.
 */
function cpuPerEventUs(samples: readonly DrainSample[], before: number): number | null {
  const running = samples.filter((s) => s.count > before && s.cpuMs !== null);
  const first = running[0];
  const last = running[running.length - 1];
  if (first === undefined || last === undefined || last.count <= first.count) return null;
  return (((last.cpuMs ?? 0) - (first.cpuMs ?? 0)) * 1_000) / (last.count - first.count);
}

/** driftTimes reads the drift topic: per observed resourceVersion, the drift record's CreateTime. */
async function driftTimes(connection: Connection, names: ReconcilerNames): Promise<Map<string, number>> {
  const reader = createCompactedReader(connection.kafka, connection.logger, {
    groupIdPrefix: 'bench-reader',
    timeoutMs: 300_000,
  });
  const times = new Map<string, number>();
  await reader.scan({ topics: [names.topics.drift] }, async (records) => {
    for (const record of records) {
      const event = await connection.serde.decode('drift', record.value);
      const version = event?.provenance.observedResourceVersion;
      if (version != null && !times.has(version)) times.set(version, record.timestampMs);
    }
  });
  return times;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function main() {
  const names = uniqueNames('bench-rec');
  const connection = await connect(stack, names);
  await provision(connection.kafka, names, PARTITIONS);
  const env = environmentFor(stack, names, {
    LOG_LEVEL: 'warn',
    RECONCILER_PARTITIONS_CONCURRENCY_COUNT: String(CONCURRENCY),
    // e.g. BENCH_RECONCILER_ENV=RECONCILER_FETCH_MAX_BYTES=262144 to try a setting (comma-separated).
    ...Object.fromEntries(
      (process.env['BENCH_RECONCILER_ENV'] ?? '')
        .split(',')
        .filter((pair) => pair.includes('='))
        .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    ),
    // e.g. BENCH_RECONCILER_NODE_OPTIONS=--cpu-prof to profile the reconciler process.
    ...(process.env['BENCH_RECONCILER_NODE_OPTIONS'] === undefined
      ? {}
      : { NODE_OPTIONS: process.env['BENCH_RECONCILER_NODE_OPTIONS'] }),
  });
  const start = async () => {
    const child = startReconciler({ ...env, LOG_LEVEL: 'info' });
    children.push(child);
    await child.waitForLine(/reconciler started/);
    return child;
  };
  try {
    out(
      `reconciler-kafka bench: ${KEYS} keys, ${EVENTS} events, ${PARTITIONS} partitions, concurrency ${CONCURRENCY}, ${cpus().length} cores`,
    );
    // Warm-up: every key's desired (3 replicas) and an in-sync observed record.
    const warm: InputRecord[] = [];
    for (let k = 0; k < KEYS; k++) {
      warm.push({ side: 'desired', key: databaseKey(k), value: desiredFor(k, 3) });
    }
    let service = await start();
    await produceInputs(connection, names, warm, 1_000);
    await waitForDrift(connection, names.topics.drift, KEYS, 120_000); // every key `missing`
    const inSync: InputRecord[] = [];
    for (let k = 0; k < KEYS; k++)
      inSync.push({ side: 'observed', key: databaseKey(k), value: observedFor(k, 3, 1) });
    await produceInputs(connection, names, inSync, 1_000);
    await waitForDrift(connection, names.topics.drift, 2 * KEYS, 120_000); // every key resolved
    await service.kill('SIGTERM');

    // 1. Throughput: a backlog of EVENTS inputs, drained by a freshly started reconciler.
    out(`producing ${EVENTS} inputs while the reconciler is stopped`);
    const backlogFirstRv = String(rv + 1);
    const backlog: InputRecord[] = [];
    for (let j = 0; j < EVENTS; j++) backlog.push(observedInput(j));
    const backlogLastRv = String(rv);
    await produceInputs(connection, names, backlog, 2_000);
    const before = await endSum(connection, names.topics.drift);
    const startedAt = Date.now();
    service = await start();
    const drain = await waitForDrift(
      connection,
      names.topics.drift,
      before + EVENTS,
      Number(process.env['BENCH_DRAIN_TIMEOUT_MS'] ?? 600_000),
      service.child.pid,
    );
    const drainWallMs = Date.now() - startedAt;
    const cpuUs = cpuPerEventUs(drain, before);
    const times = await driftTimes(connection, names);
    let minTs = Number.POSITIVE_INFINITY;
    let maxTs = 0;
    for (let v = Number(backlogFirstRv); v <= Number(backlogLastRv); v++) {
      const t = times.get(String(v));
      if (t === undefined) continue;
      minTs = Math.min(minTs, t);
      maxTs = Math.max(maxTs, t);
    }
    const throughput = EVENTS / ((maxTs - minTs) / 1_000);
    out(
      `throughput: ${Math.round(throughput)} events/s (drift CreateTime span ${maxTs - minTs} ms; wall incl. start ${drainWallMs} ms); ` +
        `reconciler CPU ${cpuUs === null ? 'n/a' : `${Math.round(cpuUs)} µs`} per event`,
    );

    // 2. Latency at a steady rate.
    const latencyEvents = RATE * SECONDS;
    out(`latency: ${RATE} events/s for ${SECONDS} s`);
    const sentAt = new Map<string, number>();
    const tickMs = 50;
    const perTick = Math.max(1, Math.round((RATE * tickMs) / 1_000));
    const latencyStart = Date.now();
    let produced = 0;
    let j = EVENTS;
    const latencyFirstRv = rv + 1;
    while (produced < latencyEvents) {
      const due = Math.min(latencyEvents, Math.floor(((Date.now() - latencyStart) / 1_000) * RATE) + perTick);
      const batch: InputRecord[] = [];
      while (produced + batch.length < due) batch.push(observedInput(j++));
      if (batch.length > 0) {
        const records = await encodeInputs(connection, names, batch);
        const now = Date.now();
        for (const input of batch)
          if (input.value !== null && input.side === 'observed') sentAt.set(input.value.resourceVersion, now);
        await connection.producer.send(records);
        produced += batch.length;
      }
      await new Promise((resolve) => setTimeout(resolve, tickMs));
    }
    const achievedRate = produced / ((Date.now() - latencyStart) / 1_000);
    await waitForDrift(connection, names.topics.drift, before + EVENTS + latencyEvents, 300_000);
    const latencyTimes = await driftTimes(connection, names);
    const latencies: number[] = [];
    for (let v = latencyFirstRv; v <= rv; v++) {
      const sent = sentAt.get(String(v));
      const seen = latencyTimes.get(String(v));
      if (sent !== undefined && seen !== undefined) latencies.push(seen - sent);
    }
    latencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    const p99 = percentile(latencies, 99);
    const max = latencies[latencies.length - 1] ?? Number.NaN;
    out(
      `latency over ${latencies.length} events at ${Math.round(achievedRate)} events/s: p50 ${p50} ms, p95 ${p95} ms, p99 ${p99} ms, max ${max} ms`,
    );

    if (WRITE) {
      writeSection({
        keys: KEYS,
        events: EVENTS,
        partitions: PARTITIONS,
        throughput,
        spanMs: maxTs - minTs,
        cpuUs,
        rate: achievedRate,
        latencyEvents: latencies.length,
        p50,
        p95,
        p99,
        max,
        load: loadavg()[0] ?? 0,
        referenceMs: referenceLoopMs(),
      });
    }
  } finally {
    for (const child of children) await child.kill('SIGTERM');
    await connection.close();
  }
}

interface KafkaFigures {
  keys: number;
  events: number;
  partitions: number;
  throughput: number;
  spanMs: number;
  cpuUs: number | null;
  rate: number;
  latencyEvents: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  load: number;
  referenceMs: number;
}

const DOC = new URL('../../docs/benchmarks.md', import.meta.url);
const START = '<!-- bench:reconciler-service:start -->';
const END = '<!-- bench:reconciler-service:end -->';
const PART_START = '<!-- reconciler-kafka:start -->';
const PART_END = '<!-- reconciler-kafka:end -->';

/** writeSection replaces the (b) part inside this benchmark's section of docs/benchmarks.md. */
export function replacePart(doc: string, partStart: string, partEnd: string, body: string): string {
  let text = doc;
  if (!text.includes(START)) text = `${text.trimEnd()}\n\n${START}\n${END}\n`;
  const sectionEnd = text.indexOf(END);
  let section = text.slice(text.indexOf(START) + START.length, sectionEnd);
  const block = `${partStart}\n${body.trim()}\n${partEnd}`;
  if (section.includes(partStart)) {
    section =
      section.slice(0, section.indexOf(partStart)) +
      block +
      section.slice(section.indexOf(partEnd) + partEnd.length);
  } else {
    section = `${section.trimEnd()}\n\n${block}\n`;
  }
  return text.slice(0, text.indexOf(START) + START.length) + section + text.slice(sectionEnd);
}

function writeSection(f: KafkaFigures) {
  const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Benchmarks\n';
  const body = `### (b) Through the real broker with Avro

\`node test/bench/reconciler-kafka.bench.ts\` — the reconciler as its own process
(\`services/reconciler/src/main.ts\`) on the local stack (one KRaft broker, the registry), ${f.partitions}
co-partitioned partitions (all ${2 * f.partitions} input partitions handled at once), ${f.keys.toLocaleString('en-US')} keys, persistence window and grace 0. Every input flips its key between in sync and
drifting, so each input yields one drift event (and every other one an operation). Measured ${new Date().toISOString().slice(0, 10)}
on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}); the broker, the registry, the producer of
this script and the reconciler share them; load average ${f.load.toFixed(1)} at the end of the run,
reference loop ${Math.round(f.referenceMs)} ms.

| measure | figure | target |
|---|---|---|
| sustained throughput (backlog of ${f.events.toLocaleString('en-US')} Avro inputs drained) | **${Math.round(f.throughput).toLocaleString('en-US')} events/s** | ≥ 50,000 (at least 20,000) |
| input record → drift event, p50 / p95 / p99 (${f.latencyEvents.toLocaleString('en-US')} inputs at ${Math.round(f.rate).toLocaleString('en-US')} events/s) | ${f.p50} / ${f.p95} / **${f.p99} ms** | p99 ≤ 50 ms |
| max latency | ${f.max} ms | |
| CPU time of the reconciler process per drained input (user + system, from /proc) | ${f.cpuUs === null ? 'not measured' : `${Math.round(f.cpuUs)} µs`} | |

Throughput is the inputs divided by the span of the drift records' CreateTimes. Latency is the drift
record's CreateTime minus the input record's CreateTime (one host clock), matched by the observed
resourceVersion; it includes the consumer's fetch wait, decode, the join, encode and the acks=all produce.`;
  writeFileSync(DOC, replacePart(doc, PART_START, PART_END, body));
  out(`wrote ${DOC.pathname}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
