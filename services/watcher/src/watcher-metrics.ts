import type { MetricsPort } from '@driftline/shared/metrics';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WatcherEventSink } from './events.ts';

/**
 * watcherMetrics turns `WatcherEvent`s into metrics: the shared ones through the `MetricsPort`
 * (relists, watch events, circuit state, records produced) and the watcher's own on `registry`
 * (410s, bookmarks, invalid objects, backoffs, queue depth per provider). Labels are provider
 * ids, kinds and codes only — never a key or a secret.
 */
export function watcherMetrics(
  port: MetricsPort,
  registry: Registry | undefined,
  observedTopic: string,
): WatcherEventSink {
  const registers = registry === undefined ? [] : [registry];
  const gones = new Counter({
    name: 'driftline_watcher_gone_total',
    help: '410 Gone answers (expired resourceVersion), per provider and kind.',
    labelNames: ['provider', 'kind'],
    registers,
  });
  const bookmarks = new Counter({
    name: 'driftline_watcher_bookmarks_total',
    help: 'Watch bookmarks received, per provider.',
    labelNames: ['provider'],
    registers,
  });
  const invalid = new Counter({
    name: 'driftline_watcher_invalid_objects_total',
    help: 'Malformed custom resources published as invalid, per provider and kind.',
    labelNames: ['provider', 'kind'],
    registers,
  });
  const backoffs = new Counter({
    name: 'driftline_watcher_backoffs_total',
    help: 'Reflector backoffs, per provider and error code.',
    labelNames: ['provider', 'code'],
    registers,
  });
  const queueDepth = new Gauge({
    name: 'driftline_watcher_queue_depth',
    help: 'Changes waiting to be published, per provider (bounded by WATCHER_QUEUE_CAPACITY_COUNT).',
    labelNames: ['provider'],
    registers,
  });
  const resyncs = new Counter({
    name: 'driftline_watcher_resyncs_total',
    help: 'Completed relists (resync markers), per provider and kind.',
    labelNames: ['provider', 'kind'],
    registers,
  });
  return (event) => {
    switch (event.type) {
      case 'watcher.relist':
        port.record({ type: 'watcher.relist', provider: event.provider, reason: event.reason });
        break;
      case 'watcher.event':
        port.record({ type: 'watcher.event', provider: event.provider, eventType: event.eventType });
        break;
      case 'watcher.circuit':
        port.record({ type: 'circuit.state', policy: event.provider, state: event.state });
        break;
      case 'watcher.published':
        port.record({
          type: 'kafka.produced',
          topic: observedTopic,
          count: event.records + event.tombstones,
        });
        break;
      case 'watcher.gone':
        gones.inc({ provider: event.provider, kind: event.kind });
        break;
      case 'watcher.bookmark':
        bookmarks.inc({ provider: event.provider });
        break;
      case 'watcher.invalid':
        invalid.inc({ provider: event.provider, kind: event.kind });
        break;
      case 'watcher.backoff':
        backoffs.inc({ provider: event.provider, code: event.code });
        break;
      case 'watcher.queue':
        queueDepth.set({ provider: event.provider }, event.depth);
        break;
      case 'watcher.resync':
        resyncs.inc({ provider: event.provider, kind: event.kind });
        break;
      default:
        break;
    }
  };
}
