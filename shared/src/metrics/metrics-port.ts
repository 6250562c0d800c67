import type { MetricEvent } from './metric-event.ts';

/**
 * MetricsPort is all a component needs to report measurements: `record` one typed event,
 * synchronously, never throwing. Components take one with `noopMetrics` as the default, so unit
 * tests never build a registry.
 */
export interface MetricsPort {
  record(event: MetricEvent): void;
}

/** noopMetrics is a `MetricsPort` that drops every event. */
export const noopMetrics: MetricsPort = { record: () => undefined };

/** recordingMetrics is a `MetricsPort` that keeps events in an array, for tests that assert them. */
export function recordingMetrics(): MetricsPort & { readonly events: MetricEvent[] } {
  const events: MetricEvent[] = [];
  return { events, record: (event) => void events.push(event) };
}
