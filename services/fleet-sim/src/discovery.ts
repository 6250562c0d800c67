import { KUBEDB_API_VERSION, KUBEDB_GROUP, KUBEDB_KINDS, KUBEDB_VERSION } from './kinds.ts';

/**
 * KUBERNETES_VERSION is what `/version` reports. A recent minor, so clients enable current
 * features (watch bookmarks, resourceVersionMatch) without version sniffing.
 */
export const KUBERNETES_VERSION = { major: '1', minor: '31' } as const;

/** versionInfo is the body of `/version`. */
export function versionInfo(): Record<string, string> {
  return {
    ...KUBERNETES_VERSION,
    gitVersion: `v${KUBERNETES_VERSION.major}.${KUBERNETES_VERSION.minor}.0-fleet-sim`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.22.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** coreApiVersions is the body of `/api` (APIVersions): only core `v1`. */
export function coreApiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** coreResourceList is the body of `/api/v1`: only `namespaces`, the one core resource served. */
export function coreResourceList(): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      {
        name: 'namespaces',
        singularName: 'namespace',
        namespaced: false,
        kind: 'Namespace',
        verbs: ['get', 'list'],
        shortNames: ['ns'],
      },
    ],
  };
}

/** kubedbGroup is the APIGroup of `kubedb.com`, as listed by `/apis` and served at `/apis/kubedb.com`. */
export function kubedbGroup(): Record<string, unknown> {
  const version = { groupVersion: KUBEDB_API_VERSION, version: KUBEDB_VERSION };
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: KUBEDB_GROUP,
    versions: [version],
    preferredVersion: version,
  };
}

/** apiGroupList is the body of `/apis` (APIGroupList) with the one served group. */
export function apiGroupList(): Record<string, unknown> {
  const { kind: _kind, apiVersion: _apiVersion, ...group } = kubedbGroup();
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [group] };
}

/**
 * kubedbResourceList is the body of `/apis/kubedb.com/v1` (APIResourceList): each kind namespaced,
 * with its verbs, short names and categories, plus its `/status` subresource.
 */
export function kubedbResourceList(): Record<string, unknown> {
  const verbs = ['delete', 'get', 'list', 'patch', 'create', 'update', 'watch'];
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: KUBEDB_API_VERSION,
    resources: KUBEDB_KINDS.flatMap((k) => [
      {
        name: k.plural,
        singularName: k.singular,
        namespaced: true,
        kind: k.kind,
        verbs,
        shortNames: [...k.shortNames],
        categories: ['datastore', 'kubedb', 'appscode', 'all'],
      },
      {
        name: `${k.plural}/status`,
        singularName: '',
        namespaced: true,
        kind: k.kind,
        verbs: ['get', 'patch', 'update'],
      },
    ]),
  };
}

/** namespaceList is the body of `/api/v1/namespaces`: `default` plus every namespace holding objects. */
export function namespaceList(
  namespaces: Iterable<string>,
  resourceVersion: string,
): Record<string, unknown> {
  const names = [...new Set(['default', ...namespaces])].sort();
  return {
    kind: 'NamespaceList',
    apiVersion: 'v1',
    metadata: { resourceVersion },
    items: names.map((name) => namespaceObject(name)),
  };
}

/** namespaceObject is one Namespace, always Active. */
export function namespaceObject(name: string): Record<string, unknown> {
  return {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}
