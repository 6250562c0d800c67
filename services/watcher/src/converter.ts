import { createHash } from 'node:crypto';
import type { ObservedDatabase, ResourceSpec } from '@driftline/schemas';
import { safeParseQuantity } from '@driftline/shared/quantity';
import { formatKey, validateKeyPart } from '@driftline/shared/keys';

/** ConverterContext says where an object came from and when the watcher saw it. */
export interface ConverterContext {
  readonly provider: string;
  /** The KubeDB kind (`MongoDB`), taken from the reflector: LIST items carry no `kind`. */
  readonly kind: string;
  /** Container whose `resources` are observed (`mongodb`); the first container otherwise. */
  readonly containerName: string;
  readonly observedAtMs: number;
  /** Annotations holding epoch ms of the last change, looked at in order. */
  readonly changedAtAnnotations?: readonly string[];
}

/** defaultChangedAtAnnotations lists annotations known to carry a change time (the fleet simulator's). */
export const defaultChangedAtAnnotations: readonly string[] = ['fleet-sim.driftline.io/changed-at-ms'];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keyPartOrNull(part: 'namespace' | 'name', value: unknown): string | null {
  try {
    return validateKeyPart(part, value);
  } catch {
    return null;
  }
}

class Problems {
  readonly list: string[] = [];
  add(problem: string): null {
    this.list.push(problem);
    return null;
  }
}

function str(value: unknown, path: string, problems: Problems, required = false): string | null {
  if (value === undefined || value === null) return required ? problems.add(`${path} is missing`) : null;
  if (typeof value !== 'string') return problems.add(`${path} is not a string`);
  return value;
}

function int(value: unknown, path: string, problems: Problems): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    return problems.add(`${path} is not a non-negative integer`);
  }
  return value;
}

function quantity(value: unknown, path: string, problems: Problems): string | null {
  const text = str(value, path, problems);
  if (text === null) return null;
  const parsed = safeParseQuantity(text);
  return parsed.ok ? text : problems.add(`${path} is not a quantity: ${JSON.stringify(text.slice(0, 40))}`);
}

function resourcesOf(spec: Json, containerName: string, problems: Problems): ResourceSpec {
  const none: ResourceSpec = { cpuRequest: null, cpuLimit: null, memoryRequest: null, memoryLimit: null };
  const podTemplate = spec['podTemplate'];
  if (podTemplate === undefined) return none;
  if (!isObject(podTemplate)) return problems.add('spec.podTemplate is not an object') ?? none;
  const podSpec = podTemplate['spec'];
  if (podSpec === undefined) return none;
  if (!isObject(podSpec)) return problems.add('spec.podTemplate.spec is not an object') ?? none;
  let resources: unknown;
  let base: string;
  const containers = podSpec['containers'];
  if (containers !== undefined) {
    if (!Array.isArray(containers)) {
      return problems.add('spec.podTemplate.spec.containers is not a list') ?? none;
    }
    const index = containers.findIndex((c) => isObject(c) && c['name'] === containerName);
    const chosen: unknown = containers[index === -1 ? 0 : index];
    if (chosen === undefined) return none;
    if (!isObject(chosen)) return problems.add('spec.podTemplate.spec.containers[] is not an object') ?? none;
    resources = chosen['resources'];
    base = `spec.podTemplate.spec.containers[${index === -1 ? 0 : index}].resources`;
  } else {
    // KubeDB before v1 kept resources on the pod template itself.
    resources = podSpec['resources'];
    base = 'spec.podTemplate.spec.resources';
  }
  if (resources === undefined || resources === null) return none;
  if (!isObject(resources)) return problems.add(`${base} is not an object`) ?? none;
  const part = (name: 'requests' | 'limits'): Json => {
    const value = resources[name];
    if (value === undefined || value === null) return {};
    if (!isObject(value)) {
      problems.add(`${base}.${name} is not an object`);
      return {};
    }
    return value;
  };
  const requests = part('requests');
  const limits = part('limits');
  return {
    cpuRequest: quantity(requests['cpu'], `${base}.requests.cpu`, problems),
    cpuLimit: quantity(limits['cpu'], `${base}.limits.cpu`, problems),
    memoryRequest: quantity(requests['memory'], `${base}.requests.memory`, problems),
    memoryLimit: quantity(limits['memory'], `${base}.limits.memory`, problems),
  };
}

function changedAtOf(metadata: Json, annotations: readonly string[]): number | null {
  const notes = metadata['annotations'];
  if (isObject(notes)) {
    for (const name of annotations) {
      const value = notes[name];
      const ms = typeof value === 'string' ? Number(value) : NaN;
      if (Number.isSafeInteger(ms) && ms > 0) return ms;
    }
  }
  // Otherwise the newest managedFields entry: the API server stamps it on every write (seconds).
  const managed = metadata['managedFields'];
  if (!Array.isArray(managed)) return null;
  let latest: number | null = null;
  for (const entry of managed) {
    const time = isObject(entry) && typeof entry['time'] === 'string' ? Date.parse(entry['time']) : NaN;
    if (Number.isFinite(time) && (latest === null || time > latest)) latest = time;
  }
  return latest;
}

function fallbackName(rawNamespace: unknown, rawName: unknown, uid: string | null): string {
  // Only strings feed the hash: junk may be an object without a prototype (String() throws).
  const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value);
  const digest = createHash('sha256')
    .update(JSON.stringify([text(rawNamespace), text(rawName), uid]))
    .digest('hex');
  return `invalid-${digest.slice(0, 16)}`;
}

/**
 * convert turns one KubeDB object (untrusted JSON) into an `ObservedDatabase`. It never throws:
 * every field that is missing or of the wrong type becomes `null` and a malformed object
 * yields `valid: false` with every problem listed in `invalidReason`, so a bad CR is published
 * (and flagged) rather than crashing or stalling its provider. An object without a usable
 * namespace or name still gets a stable key (`invalid-<hash>` under namespace `invalid`). The
 * provider id and kind come from the caller and must already be valid key parts
 * (`@driftline/shared/keys`); they are checked when a provider is accepted.
 * `correlationId` is deterministic (`key@resourceVersion`): replays carry the same id.
 */
export function convert(object: unknown, context: ConverterContext): ObservedDatabase {
  const problems = new Problems();
  const root: Json = isObject(object) ? object : (problems.add('object is not a JSON object') ?? {});
  const metadata: Json = isObject(root['metadata'])
    ? root['metadata']
    : (problems.add('metadata is missing') ?? {});
  const uid = str(metadata['uid'], 'metadata.uid', problems);
  const rawNamespace = metadata['namespace'];
  const rawName = metadata['name'];
  let namespace = keyPartOrNull('namespace', rawNamespace);
  let name = keyPartOrNull('name', rawName);
  if (namespace === null || name === null) {
    problems.add('metadata.namespace or metadata.name is missing or not a DNS-1123 label');
    name = fallbackName(rawNamespace, rawName, uid);
    namespace = 'invalid';
  }
  const resourceVersion = str(metadata['resourceVersion'], 'metadata.resourceVersion', problems, true) ?? '';
  const generation = int(metadata['generation'], 'metadata.generation', problems);

  let spec: Json = {};
  if (isObject(root['spec'])) spec = root['spec'];
  else problems.add('spec is missing or not an object');
  const version = str(spec['version'], 'spec.version', problems, isObject(root['spec']));
  const replicas = int(spec['replicas'], 'spec.replicas', problems);
  let storage: string | null = null;
  const storageSpec = spec['storage'];
  if (storageSpec !== undefined && storageSpec !== null) {
    if (!isObject(storageSpec)) problems.add('spec.storage is not an object');
    else {
      const resources = storageSpec['resources'];
      const requests = isObject(resources) ? resources['requests'] : undefined;
      storage = quantity(
        isObject(requests) ? requests['storage'] : undefined,
        'spec.storage.resources.requests.storage',
        problems,
      );
    }
  }
  const resources = resourcesOf(spec, context.containerName, problems);
  let halted: boolean | null = false;
  if (spec['halted'] !== undefined && spec['halted'] !== null) {
    halted =
      typeof spec['halted'] === 'boolean' ? spec['halted'] : problems.add('spec.halted is not a boolean');
  }
  const status: Json = isObject(root['status']) ? root['status'] : {};
  const phase = str(status['phase'], 'status.phase', problems);
  const observedGeneration = int(status['observedGeneration'], 'status.observedGeneration', problems);

  const key = formatKey({ provider: context.provider, namespace, kind: context.kind, name });
  const valid = problems.list.length === 0;
  return {
    key,
    provider: context.provider,
    namespace,
    kind: context.kind,
    name,
    valid,
    invalidReason: valid ? null : problems.list.join('; '),
    version,
    replicas,
    storage,
    resources,
    halted,
    phase,
    generation,
    observedGeneration,
    resourceVersion,
    uid,
    sourceTimestampMs: changedAtOf(metadata, context.changedAtAnnotations ?? defaultChangedAtAnnotations),
    observedAtMs: context.observedAtMs,
    correlationId: `${key}@${resourceVersion}`,
  };
}

/**
 * observedFingerprint is a record's content without the fields that differ between two
 * observations of the same object (`observedAtMs`, `correlationId`): equal fingerprints mean
 * publishing again would tell consumers nothing new.
 */
export function observedFingerprint(record: ObservedDatabase): string {
  const { observedAtMs: _observedAtMs, correlationId: _correlationId, ...content } = record;
  return JSON.stringify(content);
}
