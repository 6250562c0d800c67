/**
 * KubeObject is what the Kubernetes API returns for one custom resource: untrusted JSON. The
 * reflector only reads `metadata.resourceVersion`; everything else is the converter's business.
 */
export type KubeObject = Readonly<Record<string, unknown>>;

/** WatchEventType is the `type` of one line of a Kubernetes watch stream. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/**
 * WatchEvent is one decoded line of a watch stream. For ERROR, `object` is a `metav1.Status`
 * (`{ kind: 'Status', code: 410, reason: 'Expired' }` when the resourceVersion is too old).
 */
export interface WatchEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject;
}

/** ListOptions selects one page of a LIST: `limit` items, continuing from `continue`. */
export interface ListOptions {
  /** Only this namespace; all namespaces when absent. */
  readonly namespace?: string;
  readonly limit: number;
  readonly continue?: string;
}

/**
 * ListPage is one page of a LIST. `resourceVersion` is the list's resourceVersion (the same on
 * every page of one paginated LIST: pages are served from one snapshot). `continue` is absent on
 * the last page.
 */
export interface ListPage {
  readonly items: readonly KubeObject[];
  readonly resourceVersion: string;
  readonly continue?: string;
}

/** WatchOptions start a WATCH after `resourceVersion`, asking for bookmarks. */
export interface WatchOptions {
  readonly namespace?: string;
  readonly resourceVersion: string;
  readonly allowWatchBookmarks: true;
  /** Server-side timeout: the server closes the stream cleanly after this many seconds. */
  readonly timeoutSeconds: number;
}

/**
 * WatchHandle is a WATCH the server accepted (HTTP 200). `done` resolves when the stream ends cleanly (server timeout or
 * closed connection without error, or `abort()`), and rejects with the failure otherwise
 * (a `DriftlineError`: `K8S_GONE` for HTTP 410, `K8S_RATE_LIMITED` with `details.retryAfterMs`
 * for 429, `K8S_UNAVAILABLE` for 5xx and network errors, `K8S_FORBIDDEN` for 401/403).
 * No event is delivered after `done` settles.
 */
export interface WatchHandle {
  readonly done: Promise<void>;
  abort(): void;
}

/**
 * KubeListWatchPort is the narrowest slice of a Kubernetes client the reflector needs (client-go's
 * `ListerWatcher`): a paginated LIST and a WATCH from a resourceVersion, for one kind (by its
 * plural, e.g. `mongodbs`) of the `kubedb.com/v1` group. `list` rejects with the same
 * `DriftlineError` codes as `WatchHandle.done` (`K8S_GONE` when a `continue` token expired).
 * `watch` resolves once the server accepted the stream and rejects when it refused it.
 * `signal` cancels a request in flight (a LIST page, or a WATCH not yet accepted: it is then
 * closed and never delivers). `onEvent` is called in stream order; it may return a promise, and the port delivers the next
 * event only after it settled. A rejected `onEvent` ends the watch (`done` rejects with it).
 */
export interface KubeListWatchPort {
  list(kindPlural: string, options: ListOptions, signal?: AbortSignal): Promise<ListPage>;
  watch(
    kindPlural: string,
    options: WatchOptions,
    onEvent: (event: WatchEvent) => void | Promise<void>,
    signal?: AbortSignal,
  ): Promise<WatchHandle>;
}
