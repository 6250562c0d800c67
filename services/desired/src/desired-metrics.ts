import type { Metrics } from '@driftline/shared/metrics';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { SourceCollection } from './change.ts';
import type { DesiredObserver } from './observer.ts';
import { positionAgeSeconds, type StoredPosition } from './position.ts';

/**
 * createDesiredMetrics is the DesiredObserver that feeds Prometheus: the shared series
 * (`driftline_events_out_total`, `driftline_dead_letters_total`) through the shared MetricsPort,
 * plus the desired service's own, registered in the same registry:
 * - `driftline_desired_changes_total{collection,source,outcome}` — record | tombstone | dead-letter | skip;
 * - `driftline_desired_dead_letters_total{collection,reason}` — invalid | oversize | key-conflict | credentials-unsealable;
 * - `driftline_desired_resyncs_total{collection,reason}` — resnapshots after a lost position;
 * - `driftline_desired_position_age_seconds{collection}` — now minus the stored position's cluster
 *   time, refreshed at scrape time (alert well before it reaches the oplog window);
 * - `driftline_desired_snapshot_documents_total{collection}`, `driftline_desired_batch_size`;
 * - `driftline_desired_active` — 1 while this instance holds the publisher lease.
 */
export function createDesiredMetrics(
  metrics: Metrics,
  now: () => number,
): DesiredObserver & { setActive(active: boolean): void } {
  const registers = [metrics.registry];
  const positions = new Map<SourceCollection, StoredPosition>();
  const changes = new Counter({
    name: 'driftline_desired_changes_total',
    help: 'Source changes handled, by collection, source (snapshot|stream) and outcome.',
    labelNames: ['collection', 'source', 'outcome'],
    registers,
  });
  const deadLetters = new Counter({
    name: 'driftline_desired_dead_letters_total',
    help: 'Source documents dead-lettered, by collection and reason.',
    labelNames: ['collection', 'reason'],
    registers,
  });
  const resyncs = new Counter({
    name: 'driftline_desired_resyncs_total',
    help: 'Resnapshots after a lost change-stream position, by collection and reason.',
    labelNames: ['collection', 'reason'],
    registers,
  });
  const snapshotDocuments = new Counter({
    name: 'driftline_desired_snapshot_documents_total',
    help: 'Documents read by snapshots, by collection.',
    labelNames: ['collection'],
    registers,
  });
  const failures = new Counter({
    name: 'driftline_desired_pipeline_failures_total',
    help: 'Pipeline restarts after an error (MongoDB or Kafka unavailable), by collection.',
    labelNames: ['collection'],
    registers,
  });
  const batchSize = new Histogram({
    name: 'driftline_desired_batch_size',
    help: 'Outputs per published batch.',
    buckets: [1, 10, 100, 500, 1000, 2000, 5000],
    registers,
  });
  const active = new Gauge({
    name: 'driftline_desired_active',
    help: '1 while this instance holds the single-publisher lease.',
    registers,
  });
  new Gauge({
    name: 'driftline_desired_position_age_seconds',
    help: 'Age of the stored change-stream position (now minus its cluster time); resuming fails once it exceeds the oplog window.',
    labelNames: ['collection'],
    registers,
    collect() {
      for (const [collection, position] of positions)
        this.set({ collection }, positionAgeSeconds(position, now()));
    },
  });
  return {
    published(collection, source, outputs) {
      batchSize.observe(outputs.length);
      for (const output of outputs) {
        const outcome =
          output.type === 'record' ? (output.value === null ? 'tombstone' : 'record') : output.type;
        changes.inc({ collection, source, outcome });
        if (output.type === 'dead-letter') {
          deadLetters.inc({ collection, reason: output.reason });
          metrics.record({ type: 'deadletter.sent', topic: `mongodb.${collection}`, code: 'INPUT_INVALID' });
        }
      }
    },
    positionSaved: (position) => void positions.set(position.collection, position),
    snapshotStarted: () => undefined,
    snapshotCompleted: (collection, _id, documents) => snapshotDocuments.inc({ collection }, documents),
    resync: (collection, reason) => resyncs.inc({ collection, reason }),
    streamOpened: () => undefined,
    streamFailed: (collection) => failures.inc({ collection }),
    setActive: (value) => active.set(value ? 1 : 0),
  };
}
