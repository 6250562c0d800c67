import type { RequestVerb } from './faults.ts';
import { KUBEDB_GROUP, KUBEDB_VERSION, kindByPlural, type KubeDbKind } from './kinds.ts';

/** DiscoveryPath names one discovery document the simulator serves. */
export type DiscoveryPath =
  'version' | 'api' | 'api-v1' | 'apis' | 'group' | 'group-version' | 'namespaces' | 'namespace';

/**
 * Route is a parsed API request path with its Kubernetes verb:
 * - `health`: `/healthz`, `/readyz`, `/livez` (served without authentication);
 * - `discovery`: the documents kubectl and client-node read before anything else;
 * - `resource`: a KubeDB collection or object (`name` absent = collection), optionally `/status`;
 * - `not-found` / `method-not-allowed`.
 */
export type Route =
  | { readonly type: 'health' }
  | {
      readonly type: 'discovery';
      readonly verb: 'discovery';
      readonly path: DiscoveryPath;
      readonly name?: string;
    }
  | {
      readonly type: 'resource';
      readonly verb: RequestVerb;
      readonly kind: KubeDbKind;
      readonly namespace: string | undefined;
      readonly name: string | undefined;
      readonly subresource: 'status' | undefined;
    }
  | { readonly type: 'not-found'; readonly verb: RequestVerb }
  | { readonly type: 'method-not-allowed'; readonly verb: RequestVerb };

const HEALTH = new Set(['/healthz', '/readyz', '/livez']);
const GROUP_VERSION_PREFIX = ['apis', KUBEDB_GROUP, KUBEDB_VERSION] as const;

/** routeOf maps a method and URL (path + query) to a Route. */
export function routeOf(method: string, url: URL): Route {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (HEALTH.has(path)) return { type: 'health' };
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  const discovery = discoveryOf(segments);
  if (discovery !== undefined) {
    return method === 'GET'
      ? { type: 'discovery', verb: 'discovery', ...discovery }
      : { type: 'method-not-allowed', verb: 'discovery' };
  }
  if (!GROUP_VERSION_PREFIX.every((s, i) => segments[i] === s)) return { type: 'not-found', verb: 'get' };
  const rest = segments.slice(GROUP_VERSION_PREFIX.length);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest.splice(0, 2);
  }
  const [plural = '', name, subresource, ...extra] = rest;
  const kind = kindByPlural(plural);
  if (kind === undefined || extra.length > 0 || (subresource !== undefined && subresource !== 'status')) {
    return { type: 'not-found', verb: 'get' };
  }
  if (name !== undefined && namespace === undefined) return { type: 'not-found', verb: 'get' };
  const verb = verbOf(method, name !== undefined, url.searchParams);
  if (verb === undefined) return { type: 'method-not-allowed', verb: 'get' };
  if (subresource !== undefined && verb !== 'get' && verb !== 'update' && verb !== 'patch') {
    return { type: 'method-not-allowed', verb };
  }
  return {
    type: 'resource',
    verb,
    kind,
    namespace,
    name,
    subresource: subresource === 'status' ? 'status' : undefined,
  };
}

function discoveryOf(segments: readonly string[]): { path: DiscoveryPath; name?: string } | undefined {
  const joined = segments.join('/');
  switch (joined) {
    case 'version':
      return { path: 'version' };
    case 'api':
      return { path: 'api' };
    case 'api/v1':
      return { path: 'api-v1' };
    case 'apis':
      return { path: 'apis' };
    case `apis/${KUBEDB_GROUP}`:
      return { path: 'group' };
    case `apis/${KUBEDB_GROUP}/${KUBEDB_VERSION}`:
      return { path: 'group-version' };
    case 'api/v1/namespaces':
      return { path: 'namespaces' };
  }
  if (
    segments.length === 4 &&
    segments[0] === 'api' &&
    segments[1] === 'v1' &&
    segments[2] === 'namespaces'
  ) {
    return { path: 'namespace', name: segments[3] as string };
  }
  return undefined;
}

function verbOf(method: string, named: boolean, query: URLSearchParams): RequestVerb | undefined {
  const watch = query.get('watch');
  switch (method) {
    case 'GET':
      if (watch === 'true' || watch === '1') return named ? undefined : 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return named ? undefined : 'create';
    case 'PUT':
      return named ? 'update' : undefined;
    case 'PATCH':
      return named ? 'patch' : undefined;
    case 'DELETE':
      return named ? 'delete' : undefined;
    default:
      return undefined;
  }
}
