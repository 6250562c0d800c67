import { HttpMethod, KubeConfig, RequestContext, Watch } from '@kubernetes/client-node';
import { DriftlineError } from '@driftline/shared/errors';
import { fetch } from 'undici';
import type { ProviderKubeconfig } from './kubeconfig.ts';
import type {
  KubeListWatchPort,
  KubeObject,
  ListOptions,
  ListPage,
  WatchEvent,
  WatchHandle,
  WatchOptions,
} from './ports.ts';

const group = 'kubedb.com';
const version = 'v1';

/** KubeAdapterOptions tune the adapter; see each field. */
export interface KubeAdapterOptions {
  /**
   * Inactivity limit of a watch connection (client-node's `Watch.requestTimeoutMs`): a stream
   * with no bytes for this long is aborted. Set above the reflector's own stall timeout so that
   * the reflector, which knows about bookmarks, decides first.
   */
  readonly watchInactivityMs: number;
  /**
   * Watch events waiting for the store at most; beyond that the watch is ended and the reflector
   * reopens it from the last resourceVersion it stored — no event is lost, memory stays bounded.
   */
  readonly maxPendingEvents: number;
}

/** defaultKubeAdapterOptions: 2 minutes of silence (bookmarks come every minute or so), 1,000 pending events. */
export const defaultKubeAdapterOptions: KubeAdapterOptions = Object.freeze({
  watchInactivityMs: 120_000,
  maxPendingEvents: 1000,
});

/**
 * kubeError maps a Kubernetes API answer to the `DriftlineError` the reflector reasons about:
 * 410 → `K8S_GONE`, 429 → `K8S_RATE_LIMITED` (with `retryAfterMs` from Retry-After), 401/403 →
 * `K8S_FORBIDDEN`, anything else → `K8S_UNAVAILABLE` (retryable). A timeout is `TIMEOUT`.
 */
export function kubeError(
  status: number | undefined,
  retryAfter: string | null,
  cause?: unknown,
): DriftlineError {
  if (status === undefined) {
    const name = cause instanceof Error ? cause.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new DriftlineError('TIMEOUT', 'Kubernetes API request timed out', { cause });
    }
    return new DriftlineError('K8S_UNAVAILABLE', 'Kubernetes API unreachable', { cause });
  }
  const details = { status };
  if (status === 410)
    return new DriftlineError('K8S_GONE', 'resourceVersion expired (410 Gone)', { details });
  if (status === 429) {
    const seconds = retryAfter === null ? NaN : Number(retryAfter);
    return new DriftlineError('K8S_RATE_LIMITED', 'Kubernetes API throttled the request (429)', {
      details: Number.isFinite(seconds) ? { status, retryAfterMs: seconds * 1000 } : details,
    });
  }
  if (status === 401 || status === 403) {
    return new DriftlineError('K8S_FORBIDDEN', `Kubernetes API refused the credentials (${status})`, {
      details,
    });
  }
  return new DriftlineError('K8S_UNAVAILABLE', `Kubernetes API answered ${status}`, { details });
}

function path(kindPlural: string, namespace: string | undefined): string {
  return namespace === undefined
    ? `/apis/${group}/${version}/${kindPlural}`
    : `/apis/${group}/${version}/namespaces/${encodeURIComponent(namespace)}/${kindPlural}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * createKubeAdapter implements `KubeListWatchPort` for one provider with `@kubernetes/client-node`
 * v2's low-level calls: a `KubeConfig` loaded from the validated kubeconfig only
 * (`loadFromOptions`, never from files or the environment), authenticated raw GETs for LIST
 * pages (client-node's own TLS/auth dispatcher, so Retry-After and status codes are visible),
 * and the `Watch` class for streams. Not `makeInformer`: it stops on errors, never asks for
 * bookmarks and does not paginate. A 429 on a watch request loses its Retry-After (the `Watch`
 * class drops headers); the reflector's backoff still applies.
 */
export function createKubeAdapter(
  config: ProviderKubeconfig,
  options: KubeAdapterOptions = defaultKubeAdapterOptions,
): KubeListWatchPort {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'provider',
        server: config.server,
        caData: config.caData,
        tlsServerName: config.tlsServerName,
        // client-node refuses plain http unless this is set; https always verifies.
        skipTLSVerify: config.insecureHttp,
      },
    ],
    users: [{ name: 'provider', token: config.token, certData: config.certData, keyData: config.keyData }],
    contexts: [{ name: 'provider', cluster: 'provider', user: 'provider' }],
    currentContext: 'provider',
  });

  async function list(kindPlural: string, listOptions: ListOptions, signal?: AbortSignal): Promise<ListPage> {
    const url = new URL(config.server + path(kindPlural, listOptions.namespace));
    url.searchParams.set('limit', String(listOptions.limit));
    if (listOptions.continue !== undefined) url.searchParams.set('continue', listOptions.continue);
    const context = new RequestContext(url.toString(), HttpMethod.GET);
    await kc.applySecurityAuthentication(context);
    let response;
    try {
      response = await fetch(url, {
        method: 'GET',
        headers: { ...context.getHeaders(), accept: 'application/json' },
        dispatcher: context.getDispatcher() as never,
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      throw kubeError(undefined, null, error);
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw kubeError(response.status, response.headers.get('retry-after'));
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw kubeError(undefined, null, error);
    }
    const metadata = isObject(body) && isObject(body['metadata']) ? body['metadata'] : {};
    const items = isObject(body) && Array.isArray(body['items']) ? (body['items'] as KubeObject[]) : [];
    const token =
      typeof metadata['continue'] === 'string' && metadata['continue'] !== ''
        ? metadata['continue']
        : undefined;
    return {
      items,
      resourceVersion: typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : '',
      ...(token === undefined ? {} : { continue: token }),
    };
  }

  async function watch(
    kindPlural: string,
    watchOptions: WatchOptions,
    onEvent: (event: WatchEvent) => void | Promise<void>,
    signal?: AbortSignal,
  ): Promise<WatchHandle> {
    const watcher = new Watch(kc);
    // `requestTimeoutMs` is declared private in the typings but is the documented knob of the
    // inactivity timer (30 s by default — shorter than the API server's bookmark interval).
    (watcher as unknown as { requestTimeoutMs: number }).requestTimeoutMs = options.watchInactivityMs;
    let failure: unknown;
    let ended = false;
    let pending = 0;
    let chain: Promise<void> = Promise.resolve();
    const connection: { controller?: AbortController } = {};
    let abandoned = false;
    let settle: ((error: unknown) => void) | undefined;
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => {
        // Deliver nothing after the end: wait for the events already handed over, then settle.
        void chain.then(() => {
          const cause = failure ?? error;
          if (cause === undefined || cause === null || abandoned) resolve();
          else if (cause instanceof DriftlineError) reject(cause);
          else {
            const status =
              isObject(cause) && typeof cause['statusCode'] === 'number' ? cause['statusCode'] : undefined;
            reject(kubeError(status, null, cause));
          }
        });
      };
    });
    const stop = (): void => {
      abandoned = true;
      connection.controller?.abort();
    };
    const onAbort = (): void => stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    const controller = await watcher.watch(
      path(kindPlural, watchOptions.namespace),
      {
        resourceVersion: watchOptions.resourceVersion,
        allowWatchBookmarks: watchOptions.allowWatchBookmarks,
        timeoutSeconds: watchOptions.timeoutSeconds,
      },
      (type: string, object: unknown) => {
        if (ended || failure !== undefined) return;
        pending += 1;
        if (pending > options.maxPendingEvents) {
          failure = new DriftlineError(
            'K8S_UNAVAILABLE',
            'watch events piled up beyond the bound; reopening',
            {
              details: { maxPendingEvents: options.maxPendingEvents },
            },
          );
          connection.controller?.abort();
          return;
        }
        const event: WatchEvent = {
          type: type as WatchEvent['type'],
          object: isObject(object) ? object : {},
        };
        chain = chain.then(async () => {
          if (failure !== undefined || abandoned) return;
          try {
            await onEvent(event);
          } catch (error) {
            failure = error;
            connection.controller?.abort();
          } finally {
            pending -= 1;
          }
        });
      },
      (error: unknown) => {
        ended = true;
        settle?.(error);
      },
    );
    connection.controller = controller;
    signal?.removeEventListener('abort', onAbort);
    if (failure !== undefined) controller.abort();
    if (abandoned) {
      controller.abort();
      throw new DriftlineError('TIMEOUT', 'watch request abandoned before it was accepted');
    }
    if (ended) {
      // The server refused the watch (non-200) or the connection failed: report it as a refusal.
      await done;
    }
    return { done, abort: stop };
  }

  return { list, watch };
}
