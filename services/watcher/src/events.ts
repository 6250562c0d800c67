/**
 * WatcherEvent is everything the watcher reports for metrics and logs, namespaced like kafkajs's
 * instrumentation events. Emitted synchronously; a listener must not throw (the emitter drops
 * listener failures). `provider` and `kind` identify the reflector; no secret ever appears here.
 */
export type WatcherEvent =
  | {
      readonly type: 'watcher.list';
      readonly provider: string;
      readonly kind: string;
      readonly items: number;
      readonly pages: number;
      readonly resourceVersion: string;
    }
  | {
      readonly type: 'watcher.relist';
      readonly provider: string;
      readonly kind: string;
      readonly reason: 'gone' | 'error';
    }
  | { readonly type: 'watcher.gone'; readonly provider: string; readonly kind: string }
  | {
      readonly type: 'watcher.bookmark';
      readonly provider: string;
      readonly kind: string;
      readonly resourceVersion: string;
    }
  | {
      readonly type: 'watcher.event';
      readonly provider: string;
      readonly kind: string;
      readonly eventType: 'ADDED' | 'MODIFIED' | 'DELETED';
    }
  | {
      readonly type: 'watcher.watch.opened';
      readonly provider: string;
      readonly kind: string;
      readonly resourceVersion: string;
      readonly timeoutSeconds: number;
    }
  | {
      readonly type: 'watcher.watch.closed';
      readonly provider: string;
      readonly kind: string;
      readonly reason: 'timeout' | 'closed' | 'short' | 'stalled' | 'gone' | 'error' | 'stopped';
    }
  | {
      readonly type: 'watcher.backoff';
      readonly provider: string;
      readonly kind: string;
      readonly delayMs: number;
      readonly code: string;
    }
  | {
      readonly type: 'watcher.resync';
      readonly provider: string;
      readonly kind: string;
      readonly deleted: number;
      readonly updated: number;
      readonly unchanged: number;
    }
  | {
      readonly type: 'watcher.invalid';
      readonly provider: string;
      readonly kind: string;
      readonly reason: string;
    }
  | {
      readonly type: 'watcher.queue';
      readonly provider: string;
      readonly depth: number;
      readonly capacity: number;
    }
  | {
      readonly type: 'watcher.published';
      readonly provider: string;
      readonly records: number;
      readonly tombstones: number;
    }
  | {
      readonly type: 'watcher.circuit';
      readonly provider: string;
      readonly state: 'closed' | 'open' | 'half-open';
    };

/** WatcherEventSink receives `WatcherEvent`s; `noopSink` is the default, so tests need no registry. */
export type WatcherEventSink = (event: WatcherEvent) => void;

/** noopSink ignores every event. */
export const noopSink: WatcherEventSink = () => undefined;
