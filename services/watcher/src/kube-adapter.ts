import { KubeConfig } from '@kubernetes/client-node';
import { DriftlineError } from '@driftline/shared/errors';
import { kubeError } from './kube-error.ts';
import { kubeGet } from './kube-get.ts';
import type { ProviderKubeconfig } from './kubeconfig.ts';
import { requestWatch } from './watch-request.ts';
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
   * Inactivity limit of a watch connection (see `requestWatch`): a stream with no bytes for this
   * long is aborted. Set above the reflector's own stall timeout so that
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
 * pages and WATCH streams (`requestWatch`), both through client-node's own TLS/auth dispatcher so
 * that status codes and Retry-After stay visible. Not `makeInformer`: it stops on errors, never
 * asks for bookmarks and does not paginate.
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
    const response = await kubeGet(kc, url, signal);
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
          else reject(cause instanceof DriftlineError ? cause : kubeError(undefined, null, cause));
        });
      };
    });
    const stop = (): void => {
      abandoned = true;
      connection.controller?.abort();
    };
    const onAbort = (): void => stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    const url = new URL(config.server + path(kindPlural, watchOptions.namespace));
    url.searchParams.set('resourceVersion', watchOptions.resourceVersion);
    url.searchParams.set('allowWatchBookmarks', String(watchOptions.allowWatchBookmarks));
    url.searchParams.set('timeoutSeconds', String(watchOptions.timeoutSeconds));
    const controller = await requestWatch(
      kc,
      url,
      options.watchInactivityMs,
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
      (error) => {
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
