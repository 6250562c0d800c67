import { Counter, Histogram, type Registry } from 'prom-client';
import type { MetricsPort } from '@driftline/shared/metrics';

/**
 * SinkMetricsPort is what the sink measures beyond the shared `MetricEvent`s: write latency per
 * bulkWrite, documents acknowledged per chunk, retried models. Synchronous, never throws; the
 * no-op default keeps unit tests free of registries.
 */
export interface SinkMetricsPort {
  writeLatency(collection: string, seconds: number): void;
  /** chunkWritten records one acknowledged bulkWrite of `size` models into `collection`. */
  chunkWritten(collection: string, size: number): void;
  /** retried records `models` models sent again after a retryable failure reported under `code`. */
  retried(models: number, code: string): void;
}

/** noopSinkMetrics drops every measurement. */
export const noopSinkMetrics: SinkMetricsPort = {
  writeLatency: () => undefined,
  chunkWritten: () => undefined,
  retried: () => undefined,
};

/**
 * createSinkMetrics registers the sink's own series on the service registry and forwards chunk
 * sizes and retries to the shared `MetricsPort` (`sink.chunk.written`, `policy.retry` under the
 * policy name `mongo-sink`): `driftline_sink_write_seconds` (bulkWrite latency per collection)
 * and `driftline_sink_documents_written_total`.
 */
export function createSinkMetrics(registry: Registry, shared: MetricsPort): SinkMetricsPort {
  const latency = new Histogram({
    name: 'driftline_sink_write_seconds',
    help: 'Latency of one bulkWrite, per collection.',
    labelNames: ['collection'],
    // 1 ms to 10 s: a local unordered bulkWrite of 500 upserts takes tens of ms; seconds mean trouble.
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const written = new Counter({
    name: 'driftline_sink_documents_written_total',
    help: 'Models MongoDB acknowledged (stale guarded upserts included), per collection.',
    labelNames: ['collection'],
    registers: [registry],
  });
  return {
    writeLatency: (collection, seconds) => latency.observe({ collection }, seconds),
    chunkWritten(collection, size) {
      written.inc({ collection }, size);
      shared.record({ type: 'sink.chunk.written', collection, size });
    },
    retried(models, code) {
      for (let i = 0; i < models; i += 1) shared.record({ type: 'policy.retry', policy: 'mongo-sink', code });
    },
  };
}
