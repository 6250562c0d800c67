import { describe, expect, it } from 'vitest';
import { createPolicy } from '../resilience/index.ts';
import { DriftlineError } from '../errors/index.ts';
import { noopMetrics, recordingMetrics } from './metrics-port.ts';
import { observePolicy } from './policy-metrics.ts';
import { createMetrics } from './prometheus-metrics.ts';
import { safeLabel } from './label.ts';

describe('createMetrics', () => {
  it('uses its own registry with default process metrics', async () => {
    const a = createMetrics();
    const b = createMetrics();
    expect(a.registry).not.toBe(b.registry);
    const text = await a.registry.metrics();
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('nodejs_heap_size_used_bytes');
  });

  it('turns each event into its series', async () => {
    const metrics = createMetrics();
    metrics.record({ type: 'kafka.consumed', topic: 't.in', count: 2 });
    metrics.record({ type: 'kafka.produced', topic: 't.out', count: 5 });
    metrics.record({ type: 'deadletter.sent', topic: 't.in', code: 'SERDE_FAILED' });
    metrics.record({
      type: 'consumer.lag',
      group: 'g',
      topic: 't.in',
      partition: 3,
      messages: 42,
      seconds: 1.5,
    });
    metrics.record({ type: 'drift.open', kind: 'MongoDB', count: 7 });
    metrics.record({ type: 'drift.open', kind: 'MongoDB', count: 6 });
    metrics.record({ type: 'operations.created', operationType: 'HorizontalScaling', count: 1 });
    metrics.record({ type: 'sink.chunk.written', collection: 'operations', size: 250 });
    metrics.record({ type: 'policy.retry', policy: 'mongo', code: 'MONGO_UNAVAILABLE' });
    metrics.record({ type: 'policy.timeout', policy: 'p1' });
    metrics.record({ type: 'circuit.state', policy: 'p1', state: 'open' });
    metrics.record({ type: 'watcher.relist', provider: 'p1', reason: 'gone' });
    metrics.record({ type: 'watcher.event', provider: 'p1', eventType: 'MODIFIED' });
    const text = await metrics.registry.metrics();
    for (const line of [
      'driftline_events_in_total{topic="t.in"} 2',
      'driftline_events_out_total{topic="t.out"} 5',
      'driftline_dead_letters_total{topic="t.in",code="SERDE_FAILED"} 1',
      'driftline_consumer_lag_messages{group="g",topic="t.in",partition="3"} 42',
      'driftline_consumer_lag_seconds{group="g",topic="t.in",partition="3"} 1.5',
      'driftline_drift_open{kind="MongoDB"} 6',
      'driftline_operations_created_total{type="HorizontalScaling"} 1',
      'driftline_sink_chunk_size_bucket{le="250",collection="operations"} 1',
      'driftline_sink_chunk_size_bucket{le="100",collection="operations"} 0',
      'driftline_retries_total{policy="mongo",code="MONGO_UNAVAILABLE"} 1',
      'driftline_timeouts_total{policy="p1"} 1',
      'driftline_circuit_state{policy="p1",state="open"} 1',
      'driftline_circuit_state{policy="p1",state="closed"} 0',
      'driftline_watcher_relists_total{provider="p1",reason="gone"} 1',
      'driftline_watcher_events_total{provider="p1",type="MODIFIED"} 1',
    ]) {
      expect(text).toContain(line);
    }
  });

  it('never exports a secret as a label value', async () => {
    const canary = 'CANARY-label-3c9f';
    const metrics = createMetrics();
    metrics.record({ type: 'kafka.consumed', topic: `mongodb://u:${canary}@h`, count: 1 });
    metrics.record({ type: 'policy.retry', policy: `Bearer ${canary}`, code: 'X' });
    const text = await metrics.registry.metrics();
    expect(text).not.toContain(canary);
    expect(text).toContain('driftline_events_in_total{topic="redacted"} 1');
    expect(safeLabel('x'.repeat(500))).toHaveLength(128);
  });
});

describe('MetricsPort', () => {
  it('has a no-op default that accepts every event', () => {
    expect(() => noopMetrics.record({ type: 'policy.timeout', policy: 'p1' })).not.toThrow();
  });

  it('receives retries and circuit state from an observed policy', async () => {
    const metrics = recordingMetrics();
    const policy = createPolicy({
      name: 'p1',
      retry: { maxAttempts: 2, initialDelayMs: 0, maxDelayMs: 0 },
      circuitBreaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 },
    });
    observePolicy(policy, metrics);
    await expect(
      policy.execute(() => {
        throw new DriftlineError('K8S_UNAVAILABLE', 'down');
      }),
    ).rejects.toMatchObject({ code: 'K8S_UNAVAILABLE' });
    expect(metrics.events).toEqual([
      { type: 'circuit.state', policy: 'p1', state: 'closed' },
      { type: 'policy.retry', policy: 'p1', code: 'K8S_UNAVAILABLE' },
      { type: 'circuit.state', policy: 'p1', state: 'open' },
    ]);
  });
});
