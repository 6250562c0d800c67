/**
 * KubeDbKind describes one KubeDB custom resource the simulated API server serves: its kind, the
 * plural used in URLs, the singular and short names kubectl shows, and a default engine version.
 */
export interface KubeDbKind {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly defaultVersion: string;
  readonly containerName: string;
}

/** KUBEDB_GROUP is the API group every simulated KubeDB resource belongs to. */
export const KUBEDB_GROUP = 'kubedb.com';

/** KUBEDB_VERSION is the only served (and storage) version of the group. */
export const KUBEDB_VERSION = 'v1';

/** KUBEDB_API_VERSION is `group/version`, the `apiVersion` of every served object. */
export const KUBEDB_API_VERSION = `${KUBEDB_GROUP}/${KUBEDB_VERSION}`;

/**
 * KUBEDB_KINDS lists the served kinds. Default versions are ones KubeDB's catalog ships, so the
 * objects look like a real provider's.
 */
export const KUBEDB_KINDS: readonly KubeDbKind[] = [
  {
    kind: 'MongoDB',
    plural: 'mongodbs',
    singular: 'mongodb',
    shortNames: ['mg'],
    defaultVersion: '7.0.8',
    containerName: 'mongodb',
  },
  {
    kind: 'Postgres',
    plural: 'postgreses',
    singular: 'postgres',
    shortNames: ['pg'],
    defaultVersion: '16.1',
    containerName: 'postgres',
  },
  {
    kind: 'MySQL',
    plural: 'mysqls',
    singular: 'mysql',
    shortNames: ['my'],
    defaultVersion: '8.0.35',
    containerName: 'mysql',
  },
  {
    kind: 'Redis',
    plural: 'redises',
    singular: 'redis',
    shortNames: ['rd'],
    defaultVersion: '7.2.4',
    containerName: 'redis',
  },
];

const byPlural = new Map(KUBEDB_KINDS.map((k) => [k.plural, k]));
const byKind = new Map(KUBEDB_KINDS.map((k) => [k.kind, k]));

/** kindByPlural returns the kind served under a URL plural, or undefined when it is not served. */
export function kindByPlural(plural: string): KubeDbKind | undefined {
  return byPlural.get(plural);
}

/** kindByName returns the kind for a `kind` name ('MongoDB') or a plural ('mongodbs'), or undefined. */
export function kindByName(name: string): KubeDbKind | undefined {
  return byKind.get(name) ?? byPlural.get(name);
}
