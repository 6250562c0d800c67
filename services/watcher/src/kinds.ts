/**
 * KubeDbKindInfo is what the watcher needs to know about a KubeDB kind: the plural used in API
 * paths and the name of the database container whose resources are compared.
 */
export interface KubeDbKindInfo {
  readonly kind: string;
  readonly plural: string;
  readonly containerName: string;
}

// Plurals as KubeDB's CRDs declare them (`postgreses`, `redises`: not a naive `+s`).
const known: readonly KubeDbKindInfo[] = [
  { kind: 'MongoDB', plural: 'mongodbs', containerName: 'mongodb' },
  { kind: 'Postgres', plural: 'postgreses', containerName: 'postgres' },
  { kind: 'MySQL', plural: 'mysqls', containerName: 'mysql' },
  { kind: 'MariaDB', plural: 'mariadbs', containerName: 'mariadb' },
  { kind: 'Redis', plural: 'redises', containerName: 'redis' },
  { kind: 'Elasticsearch', plural: 'elasticsearches', containerName: 'elasticsearch' },
  { kind: 'Kafka', plural: 'kafkas', containerName: 'kafka' },
];

/**
 * kubeDbKind returns the plural and container of a KubeDB kind (`MongoDB`) or plural
 * (`mongodbs`). An unknown kind gets KubeDB's regular pattern: lower-cased `+s`, container
 * named like the singular.
 */
export function kubeDbKind(kindOrPlural: string): KubeDbKindInfo {
  const found = known.find((k) => k.kind === kindOrPlural || k.plural === kindOrPlural);
  if (found !== undefined) return found;
  const lower = kindOrPlural.toLowerCase();
  return { kind: kindOrPlural, plural: `${lower}s`, containerName: lower };
}
