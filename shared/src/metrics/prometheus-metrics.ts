import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CircuitStateName } from '../resilience/index.ts';
import { safeLabel as l } from './label.ts';
import type { MetricEvent } from './metric-event.ts';
import type { MetricsPort } from './metrics-port.ts';

/** Metrics is the prom-client implementation of `MetricsPort` and the registry it fills. */
export interface Metrics extends MetricsPort {
  readonly registry: Registry;
}

const circuitStates: readonly CircuitStateName[] = ['closed', 'half-open', 'open'];

function definitions(registry: Registry) {
  const registers = [registry];
  return {
    consumed: new Counter({
      name: 'driftline_events_in_total',
      help: 'Records consumed, per topic.',
      labelNames: ['topic'],
      registers,
    }),
    produced: new Counter({
      name: 'driftline_events_out_total',
      help: 'Records produced, per topic.',
      labelNames: ['topic'],
      registers,
    }),
    deadLetters: new Counter({
      name: 'driftline_dead_letters_total',
      help: 'Records sent to the dead-letter topic, per source topic and error code.',
      labelNames: ['topic', 'code'],
      registers,
    }),
    lagMessages: new Gauge({
      name: 'driftline_consumer_lag_messages',
      help: 'Records between the committed offset and the end of the partition.',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    }),
    lagSeconds: new Gauge({
      name: 'driftline_consumer_lag_seconds',
      help: 'Age of the newest record the group has not processed yet (0 when caught up).',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    }),
    driftOpen: new Gauge({
      name: 'driftline_drift_open',
      help: 'Database keys currently drifting, per kind.',
      labelNames: ['kind'],
      registers,
    }),
    operations: new Counter({
      name: 'driftline_operations_created_total',
      help: 'Remediation operations created, per OpsRequest type.',
      labelNames: ['type'],
      registers,
    }),
    chunkSize: new Histogram({
      name: 'driftline_sink_chunk_size',
      help: 'Documents per bulkWrite chunk, per collection.',
      labelNames: ['collection'],
      // Powers of ~2.5 up to the largest chunk size anyone should configure.
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    }),
    retries: new Counter({
      name: 'driftline_retries_total',
      help: 'Retries scheduled by resilience policies, per policy and error code.',
      labelNames: ['policy', 'code'],
      registers,
    }),
    timeouts: new Counter({
      name: 'driftline_timeouts_total',
      help: 'Calls timed out by resilience policies, per policy.',
      labelNames: ['policy'],
      registers,
    }),
    circuit: new Gauge({
      name: 'driftline_circuit_state',
      help: 'Circuit breaker state per policy (provider id for the watcher): 1 for the current state, 0 otherwise.',
      labelNames: ['policy', 'state'],
      registers,
    }),
    relists: new Counter({
      name: 'driftline_watcher_relists_total',
      help: 'Full relists of a provider, per reason (start, gone, resync).',
      labelNames: ['provider', 'reason'],
      registers,
    }),
    watchEvents: new Counter({
      name: 'driftline_watcher_events_total',
      help: 'Watch events received, per provider and event type.',
      labelNames: ['provider', 'type'],
      registers,
    }),
  };
}

/**
 * createMetrics builds a fresh prom-client `Registry` (never the global one, so two instances
 * never collide) with Node's default process metrics and driftline's metric definitions, and
 * returns it with a `MetricsPort` that applies each `MetricEvent`. Label values pass through
 * `safeLabel`, so a secret can never become a series.
 */
export function createMetrics(options: { service?: string } = {}): Metrics {
  const registry = new Registry();
  if (options.service !== undefined) registry.setDefaultLabels({ service: l(options.service) });
  collectDefaultMetrics({ register: registry });
  const m = definitions(registry);

  function record(event: MetricEvent): void {
    switch (event.type) {
      case 'kafka.consumed':
        return m.consumed.inc({ topic: l(event.topic) }, event.count);
      case 'kafka.produced':
        return m.produced.inc({ topic: l(event.topic) }, event.count);
      case 'deadletter.sent':
        return m.deadLetters.inc({ topic: l(event.topic), code: l(event.code) });
      case 'consumer.lag': {
        const labels = { group: l(event.group), topic: l(event.topic), partition: l(event.partition) };
        m.lagMessages.set(labels, event.messages);
        m.lagSeconds.set(labels, event.seconds);
        return;
      }
      case 'drift.open':
        return m.driftOpen.set({ kind: l(event.kind) }, event.count);
      case 'operations.created':
        return m.operations.inc({ type: l(event.operationType) }, event.count);
      case 'sink.chunk.written':
        return m.chunkSize.observe({ collection: l(event.collection) }, event.size);
      case 'policy.retry':
        return m.retries.inc({ policy: l(event.policy), code: l(event.code) });
      case 'policy.timeout':
        return m.timeouts.inc({ policy: l(event.policy) });
      case 'circuit.state':
        for (const state of circuitStates) {
          m.circuit.set({ policy: l(event.policy), state }, state === event.state ? 1 : 0);
        }
        return;
      case 'watcher.relist':
        return m.relists.inc({ provider: l(event.provider), reason: l(event.reason) });
      case 'watcher.event':
        return m.watchEvents.inc({ provider: l(event.provider), type: l(event.eventType) });
    }
  }

  return { registry, record };
}
