import { KUBEDB_API_VERSION, type KubeDbKind } from './kinds.ts';
import { cloneJson, isRecord, type KubeObject } from './kube-object.ts';
import type { ObjectInput } from './store.ts';

/** DatabasePhase is a KubeDB `status.phase`. */
export type DatabasePhase = 'Provisioning' | 'Ready' | 'Updating' | 'Halted' | 'NotReady' | 'Critical';

/**
 * DatabaseChange is a change to the fields driftline compares. Quantities are raw strings
 * (`'1Gi'`, `'500m'`) exactly as a user would write them.
 */
export interface DatabaseChange {
  readonly version?: string | undefined;
  readonly replicas?: number | undefined;
  readonly storage?: string | undefined;
  readonly cpuRequest?: string | undefined;
  readonly cpuLimit?: string | undefined;
  readonly memoryRequest?: string | undefined;
  readonly memoryLimit?: string | undefined;
  readonly halted?: boolean | undefined;
}

/** DatabaseStatus is what the KubeDB operator reports: a phase and the generation it acted on. */
export interface DatabaseStatus {
  readonly phase?: DatabasePhase | undefined;
  readonly observedGeneration?: number | undefined;
}

/**
 * Defect is a way to make an object malformed on purpose, for the watcher's bad-input path:
 * `replicas-not-number` (`spec.replicas: "three"`), `unparsable-storage` (`"lots"`),
 * `missing-spec` (no `spec` at all), `bad-resources` (containers is not a list).
 */
export type Defect = 'replicas-not-number' | 'unparsable-storage' | 'missing-spec' | 'bad-resources';

/** DEFECTS lists every Defect. */
export const DEFECTS: readonly Defect[] = [
  'replicas-not-number',
  'unparsable-storage',
  'missing-spec',
  'bad-resources',
];

/** DATABASE_DEFAULTS are the spec values of a database created without explicit fields. */
export const DATABASE_DEFAULTS = {
  replicas: 3,
  storage: '10Gi',
  cpuRequest: '500m',
  cpuLimit: '1',
  memoryRequest: '1Gi',
  memoryLimit: '2Gi',
} as const;

/**
 * makeDatabase builds a realistic KubeDB object of `kind`, converged (`status.phase: Ready`,
 * `observedGeneration: 1`) unless `status` says otherwise. Server-owned metadata is left to the store.
 */
export function makeDatabase(
  kind: KubeDbKind,
  namespace: string,
  name: string,
  fields: DatabaseChange = {},
  options: { labels?: Record<string, string>; status?: DatabaseStatus } = {},
): ObjectInput {
  const halted = fields.halted ?? false;
  return {
    apiVersion: KUBEDB_API_VERSION,
    kind: kind.kind,
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'driftline-platform', ...options.labels },
      annotations: {},
    },
    spec: {
      version: fields.version ?? kind.defaultVersion,
      replicas: fields.replicas ?? DATABASE_DEFAULTS.replicas,
      storageType: 'Durable',
      storage: {
        storageClassName: 'standard',
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: fields.storage ?? DATABASE_DEFAULTS.storage } },
      },
      podTemplate: {
        spec: {
          containers: [
            {
              name: kind.containerName,
              resources: {
                requests: {
                  cpu: fields.cpuRequest ?? DATABASE_DEFAULTS.cpuRequest,
                  memory: fields.memoryRequest ?? DATABASE_DEFAULTS.memoryRequest,
                },
                limits: {
                  cpu: fields.cpuLimit ?? DATABASE_DEFAULTS.cpuLimit,
                  memory: fields.memoryLimit ?? DATABASE_DEFAULTS.memoryLimit,
                },
              },
            },
          ],
        },
      },
      deletionPolicy: 'WipeOut',
      halted,
    },
    status: {
      phase: options.status?.phase ?? (halted ? 'Halted' : 'Ready'),
      observedGeneration: options.status?.observedGeneration ?? 1,
    },
  };
}

/**
 * applyChange returns a copy of `object` with `change` applied to its spec. It never touches
 * status: a change raises `metadata.generation` (in the store) and leaves `observedGeneration`
 * behind until the operator converges. A malformed spec is rebuilt only as far as the change needs.
 */
export function applyChange(object: KubeObject, change: DatabaseChange): KubeObject {
  const spec: Record<string, unknown> = isRecord(object.spec) ? cloneJson(object.spec) : {};
  const next: KubeObject = { ...object, spec };
  if (change.version !== undefined) spec.version = change.version;
  if (change.replicas !== undefined) spec.replicas = change.replicas;
  if (change.halted !== undefined) spec.halted = change.halted;
  if (change.storage !== undefined) {
    const storage = child(spec, 'storage');
    child(child(storage, 'resources'), 'requests').storage = change.storage;
  }
  const resources = [
    ['requests', 'cpu', change.cpuRequest],
    ['limits', 'cpu', change.cpuLimit],
    ['requests', 'memory', change.memoryRequest],
    ['limits', 'memory', change.memoryLimit],
  ] as const;
  if (resources.some(([, , value]) => value !== undefined)) {
    const container = mainContainer(spec, object.kind);
    for (const [section, resource, value] of resources) {
      if (value !== undefined) child(child(container, 'resources'), section)[resource] = value;
    }
  }
  return next;
}

/** applyStatus returns a copy of `object` with the given status fields set. */
export function applyStatus(object: KubeObject, status: DatabaseStatus): KubeObject {
  const current = isRecord(object.status) ? object.status : {};
  const next: KubeObject = { ...object };
  next.status = {
    ...current,
    ...(status.phase !== undefined ? { phase: status.phase } : {}),
    ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
  };
  return next;
}

/**
 * converged returns a copy of `object` as the KubeDB operator leaves it after acting on its spec:
 * `observedGeneration = generation`, phase `Halted` when halted else `Ready`.
 */
export function converged(object: KubeObject): KubeObject {
  const halted = isRecord(object.spec) && object.spec.halted === true;
  return applyStatus(object, {
    phase: halted ? 'Halted' : 'Ready',
    observedGeneration: object.metadata.generation,
  });
}

/** applyDefect returns a copy of `object` made malformed in the way `defect` names. */
export function applyDefect(object: KubeObject, defect: Defect): KubeObject {
  const spec: Record<string, unknown> = isRecord(object.spec) ? cloneJson(object.spec) : {};
  const next: KubeObject = { ...object, spec };
  switch (defect) {
    case 'replicas-not-number':
      next.spec = { ...spec, replicas: 'three' };
      break;
    case 'unparsable-storage':
      next.spec = { ...spec, storage: { resources: { requests: { storage: 'lots' } } } };
      break;
    case 'missing-spec':
      delete next.spec;
      break;
    case 'bad-resources':
      next.spec = { ...spec, podTemplate: { spec: { containers: 'cpu=2' } } };
      break;
  }
  return next;
}

function child(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const existing = parent[key];
  if (isRecord(existing)) return existing;
  const created: Record<string, unknown> = {};
  parent[key] = created;
  return created;
}

function mainContainer(spec: Record<string, unknown>, kind: string): Record<string, unknown> {
  const podTemplate = child(spec, 'podTemplate');
  const podSpec = child(podTemplate, 'spec');
  if (!Array.isArray(podSpec.containers)) podSpec.containers = [];
  const containers = podSpec.containers as unknown[];
  const name = kind.toLowerCase();
  const found = containers.find((c) => isRecord(c) && c.name === name) ?? containers.find(isRecord);
  if (isRecord(found)) return found;
  const created: Record<string, unknown> = { name };
  containers.push(created);
  return created;
}
