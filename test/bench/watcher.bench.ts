/**
 * Benchmark: the watcher against the real broker and an in-process simulated fleet.
 *
 *   node test/bench/watcher.bench.ts [--providers 10] [--per-provider 1000] [--rate 1000] [--seconds 10] [--no-write]
 *
 * Needs the local stack (`npm run stack -- up`); KAFKA_BROKERS / SCHEMA_REGISTRY_URL override it.
 * 1. Initial sync: 10 providers × 1,000 databases registered on the providers topic; one watcher
 *    instance starts; time from start to every object on observed.v1 (seen by a consumer).
 * 2. Sustained changes: `rate` changes/s spread over all providers for `seconds`; throughput and
 *    latency percentiles from the change in the fleet (its changed-at annotation, written by the
 *    simulated API server at the write) to the record on Kafka (record CreateTime, stamped by the
 *    watcher's producer) and to a consumer (end to end).
 * Fleet, watcher and the measuring consumer share one Node process, so figures are a floor for
 * a watcher on its own machine. Figures go to docs/benchmarks.md between the watcher markers.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { refOf, type KubeObject } from '@driftline/fleet-sim';
import { WatcherHarness } from '../../services/watcher/src/testing/int-harness.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}
const providers = arg('providers', 10);
const perProvider = arg('per-provider', 1000);
const rate = arg('rate', 1000);
const seconds = arg('seconds', 10);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const harness = new WatcherHarness({
  kafkaBrokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','),
  schemaRegistryUrl: process.env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081',
  providers,
  databasesPerProvider: perProvider,
  bookmarkIntervalMs: 10_000,
});

try {
  await harness.start();
  const total = providers * perProvider;
  await harness.publishProviders(harness.fleet.clusters.map((c) => harness.providerRecord(c.id)));
  const t0 = performance.now();
  const t0Wall = Date.now();
  await harness.startWatcher();
  console.log(`watcher started after ${(performance.now() - t0).toFixed(0)} ms`);
  await harness.waitFor('initial sync', () => harness.latest().size >= total, 120_000);
  const syncMs = performance.now() - t0;
  const lastProducedAt = Math.max(...harness.observed.map((m) => m.kafkaTimestampMs));
  console.log(`initial sync: ${total} objects in ${syncMs.toFixed(0)} ms`);
  const firstList = harness.eventTimes.find((t) => t.type === 'watcher.list');
  const firstPublished = harness.eventTimes.find((t) => t.type === 'watcher.published');
  const rel = (type: string): string =>
    harness.eventTimes
      .filter((t) => t.type === type)
      .map((t) => t.atMs - t0Wall)
      .join(',');
  console.log('lists', rel('watcher.list'));
  console.log('published', rel('watcher.published'));
  console.log(
    `first list +${(firstList?.atMs ?? 0) - t0Wall} ms, first publish +${(firstPublished?.atMs ?? 0) - t0Wall} ms, last produced +${Math.max(...harness.observed.map((m) => m.kafkaTimestampMs)) - t0Wall} ms`,
  );

  // Sustained changes: every change touches a distinct object (round robin over all of them).
  const targets: { cluster: (typeof harness.fleet.clusters)[number]; object: KubeObject }[] =
    harness.fleet.clusters.flatMap((cluster) =>
      cluster.listDatabases().map((object) => ({ cluster, object })),
    );
  const before = harness.observed.length;
  const changes = rate * seconds;
  const tickMs = 20;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const start = performance.now();
  let made = 0;
  while (made < changes) {
    const due = Math.min(changes, Math.floor(((performance.now() - start) / 1000) * rate) + perTick);
    for (; made < due; made += 1) {
      const target = targets[made % targets.length] as (typeof targets)[number];
      // Always a real change (a value the object does not have), so every change is one event.
      const replicas =
        Number((target.object.spec as { replicas: number }).replicas) + 1 + Math.floor(made / targets.length);
      target.cluster.changeDatabase(refOf(target.object), { replicas });
    }
    await new Promise((resolve) => setTimeout(resolve, tickMs));
  }
  const offeredMs = performance.now() - start;
  const progress = setInterval(() => {
    const counts = new Map<string, number>();
    for (const e of harness.events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    console.log(
      `delivered ${harness.observed.length - before}/${changes}`,
      JSON.stringify(Object.fromEntries(counts)),
    );
  }, 5000);
  await harness.waitFor('all changes', () => harness.observed.length - before >= changes, 120_000);
  clearInterval(progress);
  const deliveredMs = performance.now() - start;
  const fresh = harness.observed.slice(before);
  const toKafka: number[] = [];
  const endToEnd: number[] = [];
  for (const m of fresh) {
    const changedAt = m.value?.sourceTimestampMs;
    if (changedAt === null || changedAt === undefined) continue;
    toKafka.push(m.kafkaTimestampMs - changedAt);
    endToEnd.push(m.receivedAtMs - changedAt);
  }
  // The two legs: the fleet's watch stream to the watcher (observedAtMs is stamped on receipt),
  // and the watcher's own pipeline (convert, deltas, queue, Avro, produce).
  const toWatcher: number[] = [];
  const inWatcher: number[] = [];
  for (const m of fresh) {
    if (m.value === null || m.value.sourceTimestampMs === null) continue;
    toWatcher.push(m.value.observedAtMs - m.value.sourceTimestampMs);
    inWatcher.push(m.kafkaTimestampMs - m.value.observedAtMs);
  }
  toWatcher.sort((a, b) => a - b);
  inWatcher.sort((a, b) => a - b);
  toKafka.sort((a, b) => a - b);
  endToEnd.sort((a, b) => a - b);
  const throughput = changes / (deliveredMs / 1000);
  const results = {
    syncMs,
    syncProducedMs: lastProducedAt - t0Wall,
    offeredRate: changes / (offeredMs / 1000),
    throughput,
    p50Kafka: percentile(toKafka, 50),
    p99Kafka: percentile(toKafka, 99),
    maxKafka: toKafka.at(-1) ?? NaN,
    p50E2e: percentile(endToEnd, 50),
    p99E2e: percentile(endToEnd, 99),
    p50ToWatcher: percentile(toWatcher, 50),
    p99ToWatcher: percentile(toWatcher, 99),
    p50InWatcher: percentile(inWatcher, 50),
    p99InWatcher: percentile(inWatcher, 99),
  };
  console.log(JSON.stringify(results, null, 2));

  if (!process.argv.includes('--no-write')) {
    const date = new Date().toISOString().slice(0, 10);
    const section = [
      '<!-- bench:watcher:start -->',
      '## Watcher: fleet → observed.v1',
      '',
      `\`node test/bench/watcher.bench.ts\` — ${providers} simulated providers × ${perProvider.toLocaleString('en')} KubeDB objects, one watcher instance, the local stack's single Kafka broker; fleet, watcher and the measuring consumer in one Node ${process.version} process on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'} (load ${loadavg()[0]?.toFixed(1)}), ${date}.`,
      '',
      '| measure | result | target |',
      '| --- | --- | --- |',
      `| initial sync: start → all ${total.toLocaleString('en')} objects on observed.v1 (consumed) | ${(syncMs / 1000).toFixed(2)} s | < 10 s |`,
      `| sustained changes offered | ${results.offeredRate.toFixed(0)} changes/s for ${seconds} s | 1,000/s |`,
      `| sustained throughput (changes delivered / time to deliver them) | ${throughput.toFixed(0)} events/s | |`,
      `| latency change → record on Kafka (CreateTime), p50 / p99 / max | ${results.p50Kafka} / ${results.p99Kafka} / ${results.maxKafka} ms | p99 < 100 ms |`,
      `| … of which fleet watch stream → watcher received, p50 / p99 | ${results.p50ToWatcher} / ${results.p99ToWatcher} ms | |`,
      `| … of which watcher received → Kafka, p50 / p99 | ${results.p50InWatcher} / ${results.p99InWatcher} ms | |`,
      `| latency change → consumer (end to end), p50 / p99 | ${results.p50E2e} / ${results.p99E2e} ms | |`,
      '',
      "Latency starts at the simulated API server's `fleet-sim.driftline.io/changed-at-ms` annotation (wall clock at the write) and ends at the record's Kafka CreateTime (set by the watcher's producer) or at the moment the benchmark's consumer received it; clocks are the same machine's. Each change touches a distinct object, so every change must appear once.",
      '<!-- bench:watcher:end -->',
    ].join('\n');
    const path = new URL('../../docs/benchmarks.md', import.meta.url);
    const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
    const pattern = /<!-- bench:watcher:start -->[\s\S]*<!-- bench:watcher:end -->/;
    const next = pattern.test(current)
      ? current.replace(pattern, section)
      : `${current.trimEnd()}\n\n${section}\n`;
    writeFileSync(path, next);
    console.log('written to docs/benchmarks.md');
  }
} finally {
  await harness.stop();
}
