export { safeLabel } from './label.ts';
export type { MetricEvent, MetricEventType } from './metric-event.ts';
export { noopMetrics, recordingMetrics } from './metrics-port.ts';
export type { MetricsPort } from './metrics-port.ts';
export { observePolicy } from './policy-metrics.ts';
export { createMetrics } from './prometheus-metrics.ts';
export type { Metrics } from './prometheus-metrics.ts';
