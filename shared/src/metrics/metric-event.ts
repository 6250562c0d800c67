import type { CircuitStateName } from '../resilience/index.ts';

/**
 * MetricEvent is every measurement driftline reports, as a typed, namespaced event. Adapters and
 * pure modules emit these through a `MetricsPort`; only `createMetrics` turns them into
 * prom-client updates. Label values must be identifiers (topics, kinds, provider ids, codes) —
 * never a secret or a database key (unbounded cardinality).
 */
export type MetricEvent =
  /** Records consumed from a topic. */
  | { readonly type: 'kafka.consumed'; readonly topic: string; readonly count: number }
  /** Records produced to a topic. */
  | { readonly type: 'kafka.produced'; readonly topic: string; readonly count: number }
  /** A record sent to the dead-letter topic, by the topic it came from and the error code. */
  | { readonly type: 'deadletter.sent'; readonly topic: string; readonly code: string }
  /** Consumer lag of one partition, in messages and in seconds behind the newest record. */
  | {
      readonly type: 'consumer.lag';
      readonly group: string;
      readonly topic: string;
      readonly partition: number;
      readonly messages: number;
      readonly seconds: number;
    }
  /** Number of keys currently drifting, per database kind (a gauge: the full current value). */
  | { readonly type: 'drift.open'; readonly kind: string; readonly count: number }
  /** Operations the reconciler created, by OpsRequest type. */
  | { readonly type: 'operations.created'; readonly operationType: string; readonly count: number }
  /** A chunk the sink wrote in one bulkWrite. */
  | { readonly type: 'sink.chunk.written'; readonly collection: string; readonly size: number }
  /** A retry a resilience policy scheduled. */
  | { readonly type: 'policy.retry'; readonly policy: string; readonly code: string }
  /** A call a resilience policy timed out. */
  | { readonly type: 'policy.timeout'; readonly policy: string }
  /** A circuit breaker's new state; for the watcher the policy is the provider id. */
  | { readonly type: 'circuit.state'; readonly policy: string; readonly state: CircuitStateName }
  /** The watcher relisted a provider's resources (start, 410 Gone, resync). */
  | { readonly type: 'watcher.relist'; readonly provider: string; readonly reason: string }
  /** Watch events the watcher received, by provider and event type. */
  | { readonly type: 'watcher.event'; readonly provider: string; readonly eventType: string };

/** MetricEventType is the `type` of a `MetricEvent`. */
export type MetricEventType = MetricEvent['type'];
