import type { ServerResponse } from 'node:http';
import type { FaultDecision } from './faults.ts';
import { KUBEDB_API_VERSION, type KubeDbKind } from './kinds.ts';
import type { Selector } from './selector.ts';
import { failure, tooOldResourceVersion } from './status.ts';
import type { ClusterStore } from './store.ts';
import { eventLine, matchesFilter, storedEventLine, type WatchFilter, type WatchHub } from './watch-hub.ts';
import { WatchSession } from './watch-session.ts';

/** WatchOptions are a cluster's server-side watch settings. */
export interface WatchOptions {
  readonly bookmarkIntervalMs: number;
  /** Used when the client sends no `timeoutSeconds` (the API server picks 30–60 min). */
  readonly defaultTimeoutMs: number;
  readonly maxBufferedBytes: number;
  /** How long a watch buffer may stay above maxBufferedBytes before the watch is closed. */
  readonly slowGraceMs: number;
}

/** INITIAL_EVENTS_END_ANNOTATION marks the bookmark that ends a `sendInitialEvents` replay. */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

/**
 * openWatch starts a WATCH stream with the API server's semantics:
 * - no `resourceVersion`, `"0"`, or `sendInitialEvents=true`: synthetic ADDED events for every
 *   current object, then live events (with `sendInitialEvents`, a BOOKMARK annotated
 *   `k8s.io/initial-events-end` after the replay);
 * - `resourceVersion=N`: every event after N from the history window, then live events; when N
 *   fell out of the window (or a 410 storm fault is on and N is behind), a 200 stream with a single
 *   ERROR event carrying a 410 Expired Status, then end — exactly what client-go and client-node
 *   expect from a real API server.
 * The replay and the registration with the hub happen in one synchronous step, so no event falls
 * between them.
 */
export function openWatch(
  store: ClusterStore,
  hub: WatchHub,
  res: ServerResponse,
  kind: KubeDbKind,
  namespace: string | undefined,
  selector: Selector,
  query: URLSearchParams,
  decision: FaultDecision,
  options: WatchOptions,
): void {
  const filter: WatchFilter = {
    plural: kind.plural,
    namespace,
    selector: query.has('labelSelector') || query.has('fieldSelector') ? selector : undefined,
  };
  const timeoutSeconds = Number(query.get('timeoutSeconds'));
  const session = new WatchSession(res, {
    filter,
    kind: kind.kind,
    apiVersion: KUBEDB_API_VERSION,
    bookmarks: query.get('allowWatchBookmarks') === 'true',
    bookmarkIntervalMs: options.bookmarkIntervalMs,
    timeoutMs: timeoutSeconds > 0 ? timeoutSeconds * 1000 : options.defaultTimeoutMs,
    maxBufferedBytes: options.maxBufferedBytes,
    slowGraceMs: options.slowGraceMs,
    dropAfterEvents: decision.dropWatchAfterEvents,
    currentRevision: () => store.revision,
  });
  const rv = query.get('resourceVersion') ?? '';
  const sendInitialEvents = query.get('sendInitialEvents') === 'true';
  const initial = initialLines(store, filter, rv, sendInitialEvents, decision.forceGone);
  if (initial.error !== undefined) {
    session.open([initial.error], () => undefined);
    session.close('end');
    return;
  }
  const unregister = hub.add(session);
  session.open(initial.lines, unregister);
  if (sendInitialEvents && query.get('allowWatchBookmarks') === 'true') {
    session.bookmark({ [INITIAL_EVENTS_END_ANNOTATION]: 'true' });
  }
}

function initialLines(
  store: ClusterStore,
  filter: WatchFilter,
  rv: string,
  sendInitialEvents: boolean,
  forceGone: boolean,
): { lines: string[]; error?: undefined } | { error: string } {
  if (rv === '' || rv === '0' || sendInitialEvents) {
    const snapshot = store.snapshot(filter.plural);
    if (snapshot === 'expired')
      return { error: eventLine('ERROR', tooOldResourceVersion(0, store.compactedThrough)) };
    const lines: string[] = [];
    for (const key of snapshot.keys) {
      const object = snapshot.get(key);
      if (object !== undefined && matchesFilter(filter, filter.plural, object))
        lines.push(storedEventLine('ADDED', object));
    }
    return { lines };
  }
  const revision = Number(rv);
  if (!Number.isInteger(revision) || revision < 0) {
    return { error: eventLine('ERROR', failure('BadRequest', `invalid resource version: ${rv}`)) };
  }
  if (forceGone && revision < store.revision) {
    return { error: eventLine('ERROR', tooOldResourceVersion(revision, store.revision)) };
  }
  const since = store.eventsSince(revision);
  if (since.expired)
    return { error: eventLine('ERROR', tooOldResourceVersion(revision, store.compactedThrough + 1)) };
  const lines: string[] = [];
  for (const event of since.events) {
    if (matchesFilter(filter, event.plural, event.object))
      lines.push(storedEventLine(event.type, event.object));
  }
  return { lines };
}
