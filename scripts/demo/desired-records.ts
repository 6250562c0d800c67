import { formatKey } from '@driftline/shared/keys';
import type { SimCluster } from '@driftline/fleet-sim';

/** DatabaseDocument is a document of the platform's `databases` collection (services/desired's schema). */
export interface DatabaseDocument {
  readonly _id: string;
  readonly provider: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly version: string;
  readonly replicas: number;
  readonly storage: string | null;
  readonly resources: {
    readonly requests: { readonly cpu: string | null; readonly memory: string | null };
    readonly limits: { readonly cpu: string | null; readonly memory: string | null };
  };
  readonly halted: boolean;
  readonly generation: number;
  readonly updatedAt: Date;
}

/** ProviderDocument is a document of the platform's `providers` collection. */
export interface ProviderDocument {
  readonly _id: string;
  readonly displayName: string;
  readonly server: string;
  readonly kinds: readonly string[];
  readonly allowInsecureHttp: boolean;
  /** Clear text here: the desired service seals it before it reaches Kafka. */
  readonly credentials: { readonly token: string };
  readonly generation: number;
  readonly updatedAt: Date;
}

/** DriftKind is how a demo record departs from its cluster: one field per remediation type. */
export type DriftKind = 'replicas' | 'storage' | 'memory';

/** DesiredSeed is the demo's platform records and which keys were made to drift, and how. */
export interface DesiredSeed {
  readonly providers: ProviderDocument[];
  readonly databases: DatabaseDocument[];
  readonly drifting: ReadonlyMap<string, DriftKind>;
}

const DRIFT_KINDS: readonly DriftKind[] = ['replicas', 'storage', 'memory'];

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** databaseDocumentOf reads the compared fields of a KubeDB object into a `databases` document. */
export function databaseDocumentOf(provider: string, object: unknown, at: Date): DatabaseDocument {
  const o = record(object);
  const meta = record(o['metadata']);
  const spec = record(o['spec']);
  const containers = record(record(spec['podTemplate'])['spec'])['containers'];
  const main = record(Array.isArray(containers) ? containers[0] : undefined);
  const requests = record(record(main['resources'])['requests']);
  const limits = record(record(main['resources'])['limits']);
  const key = {
    provider,
    namespace: String(meta['namespace']),
    kind: String(o['kind']),
    name: String(meta['name']),
  };
  return {
    _id: formatKey(key),
    ...key,
    version: String(spec['version']),
    replicas: Number(spec['replicas']),
    storage: text(record(record(record(spec['storage'])['resources'])['requests'])['storage']),
    resources: {
      requests: { cpu: text(requests['cpu']), memory: text(requests['memory']) },
      limits: { cpu: text(limits['cpu']), memory: text(limits['memory']) },
    },
    halted: spec['halted'] === true,
    generation: 1,
    updatedAt: at,
  };
}

/** withDrift returns `doc` changed so that it no longer matches its cluster, the way `kind` says. */
export function withDrift(doc: DatabaseDocument, kind: DriftKind): DatabaseDocument {
  const generation = doc.generation + 1;
  switch (kind) {
    case 'replicas':
      return { ...doc, replicas: doc.replicas + 1, generation };
    case 'storage':
      return { ...doc, storage: `${Number.parseInt(doc.storage ?? '10', 10) + 5}Gi`, generation };
    case 'memory':
      return {
        ...doc,
        resources: { ...doc.resources, requests: { ...doc.resources.requests, memory: '1536Mi' } },
        generation,
      };
  }
}

/**
 * desiredSeedOf builds the platform records matching `clusters` exactly, then makes every
 * `1 / driftRatio`-th database (in key order, so the choice is deterministic) drift by one field,
 * rotating over replicas (HorizontalScaling), storage (VolumeExpansion) and memory
 * (VerticalScaling). `driftRatio` 0 makes none drift.
 */
export function desiredSeedOf(
  clusters: readonly SimCluster[],
  driftRatio: number,
  at = new Date(),
): DesiredSeed {
  const providers = clusters.map((c): ProviderDocument => ({
    _id: c.id,
    displayName: `Simulated ${c.id}`,
    server: c.server,
    kinds: ['MongoDB', 'Postgres', 'MySQL', 'Redis'],
    allowInsecureHttp: true,
    credentials: { token: c.token },
    generation: 1,
    updatedAt: at,
  }));
  const every = driftRatio > 0 ? Math.max(1, Math.round(1 / driftRatio)) : 0;
  const drifting = new Map<string, DriftKind>();
  const databases: DatabaseDocument[] = [];
  let index = 0;
  for (const cluster of clusters) {
    for (const object of cluster.listDatabases()) {
      const doc = databaseDocumentOf(cluster.id, object, at);
      if (every > 0 && index % every === 0) {
        const kind = DRIFT_KINDS[(index / every) % DRIFT_KINDS.length] as DriftKind;
        drifting.set(doc._id, kind);
        databases.push(withDrift(doc, kind));
      } else {
        databases.push(doc);
      }
      index += 1;
    }
  }
  return { providers, databases, drifting };
}
