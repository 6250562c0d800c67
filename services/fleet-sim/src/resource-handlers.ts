import { randomBytes } from 'node:crypto';
import type { WriteTarget } from './generation.ts';
import { KUBEDB_API_VERSION, type KubeDbKind } from './kinds.ts';
import { isRecord, type KubeObject } from './kube-object.ts';
import { listJson, listObjects, type ListQuery } from './list.ts';
import { applyPatch, type PatchType } from './patch.ts';
import { failure, notFound, type KubeStatus } from './status.ts';
import type { ClusterStore, ObjectInput, StoreResult } from './store.ts';

/** Reply is an HTTP answer before it is written: status code, JSON body, extra headers. */
export interface Reply {
  readonly statusCode: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** The body already serialized (a list page built from cached item JSON); wins over `body`. */
  readonly raw?: string;
}

/** statusReply answers with a Status object and its code. */
export function statusReply(status: KubeStatus, headers?: Record<string, string>): Reply {
  return { statusCode: status.code, body: status, ...(headers !== undefined ? { headers } : {}) };
}

function fromResult(result: StoreResult, okCode = 200): Reply {
  return result.ok ? { statusCode: okCode, body: result.object } : statusReply(result.status);
}

/** handleList answers a LIST (see listObjects for the resourceVersion rules). */
export function handleList(store: ClusterStore, kind: KubeDbKind, query: ListQuery): Reply {
  const result = listObjects(store, kind, query);
  return result.ok
    ? { statusCode: 200, body: result.list, raw: listJson(result.list) }
    : statusReply(result.status);
}

/** handleGet answers a GET of one object, 404 NotFound when absent. */
export function handleGet(store: ClusterStore, kind: KubeDbKind, namespace: string, name: string): Reply {
  const object = store.get(kind.plural, namespace, name);
  return object === undefined ? statusReply(notFound(kind.plural, name)) : { statusCode: 200, body: object };
}

/**
 * handleCreate answers a POST: the object lands in the URL's namespace (400 when the body names
 * another), `generateName` is honoured, and `status` is dropped as for any resource with a status
 * subresource. 201 with the stored object; 409 AlreadyExists; 400/422 for a bad body.
 */
export function handleCreate(store: ClusterStore, kind: KubeDbKind, namespace: string, body: unknown): Reply {
  const checked = checkBody(kind, body);
  if (typeof checked === 'string')
    return statusReply(failure('BadRequest', checked, { plural: kind.plural }));
  const metadata = checked.metadata;
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
    return statusReply(
      failure(
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      ),
    );
  }
  let name = typeof metadata.name === 'string' ? metadata.name : '';
  if (!name && typeof metadata.generateName === 'string' && metadata.generateName) {
    name = `${metadata.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`;
  }
  if (!name)
    return statusReply(failure('Invalid', 'metadata.name: Required value: name or generateName is required'));
  const { status: _status, ...rest } = checked;
  const input: ObjectInput = {
    ...rest,
    apiVersion: KUBEDB_API_VERSION,
    kind: kind.kind,
    metadata: stripServerFields({ ...metadata, name, namespace }),
  };
  return fromResult(store.create(kind.plural, input), 201);
}

/**
 * handleUpdate answers a PUT on the object (`main`) or its `/status`. The body must carry
 * `metadata.resourceVersion` (custom resources allow no unconditional update: 422), and it must be
 * the stored one (409 Conflict).
 */
export function handleUpdate(
  store: ClusterStore,
  kind: KubeDbKind,
  namespace: string,
  name: string,
  body: unknown,
  target: WriteTarget,
): Reply {
  const checked = checkBody(kind, body);
  if (typeof checked === 'string')
    return statusReply(failure('BadRequest', checked, { plural: kind.plural }));
  if (checked.metadata.name !== undefined && checked.metadata.name !== name) {
    return statusReply(failure('BadRequest', 'the name of the object does not match the name on the URL'));
  }
  if (!checked.metadata.resourceVersion) {
    return statusReply(
      failure('Invalid', 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update', {
        plural: kind.plural,
        name,
      }),
    );
  }
  if (store.get(kind.plural, namespace, name) === undefined) return statusReply(notFound(kind.plural, name));
  const incoming = { ...checked, metadata: { ...checked.metadata, name, namespace } } as KubeObject;
  return fromResult(store.update(kind.plural, incoming, target));
}

/**
 * handlePatch answers a PATCH (merge, JSON or strategic-as-merge) on the object or its `/status`.
 * A `metadata.resourceVersion` the patch sets acts as a precondition (409 when stale).
 */
export function handlePatch(
  store: ClusterStore,
  kind: KubeDbKind,
  namespace: string,
  name: string,
  patch: unknown,
  type: PatchType,
  target: WriteTarget,
): Reply {
  const existing = store.get(kind.plural, namespace, name);
  if (existing === undefined) return statusReply(notFound(kind.plural, name));
  const patched = applyPatch(existing, patch, type);
  if (!patched.ok) return statusReply(failure('Invalid', patched.message, { plural: kind.plural, name }));
  const checked = checkBody(kind, patched.value);
  if (typeof checked === 'string')
    return statusReply(failure('Invalid', checked, { plural: kind.plural, name }));
  const incoming = {
    ...checked,
    metadata: {
      ...checked.metadata,
      name,
      namespace,
      resourceVersion: checked.metadata.resourceVersion || existing.metadata.resourceVersion,
    },
  } as KubeObject;
  return fromResult(store.update(kind.plural, incoming, target));
}

/** handleDelete answers a DELETE, honouring `preconditions.resourceVersion` of DeleteOptions. */
export function handleDelete(
  store: ClusterStore,
  kind: KubeDbKind,
  namespace: string,
  name: string,
  body: unknown,
): Reply {
  const preconditions = isRecord(body) && isRecord(body.preconditions) ? body.preconditions : {};
  const rv = typeof preconditions.resourceVersion === 'string' ? preconditions.resourceVersion : undefined;
  return fromResult(store.delete(kind.plural, namespace, name, rv));
}

type CheckedBody = Record<string, unknown> & {
  metadata: Record<string, unknown> & { name?: string; resourceVersion?: string };
};

function checkBody(kind: KubeDbKind, body: unknown): CheckedBody | string {
  if (!isRecord(body)) return 'the request body must be a JSON object';
  if (!isRecord(body.metadata)) return 'metadata: Required value';
  if (body.kind !== undefined && body.kind !== kind.kind) {
    return `the kind "${String(body.kind)}" does not match the resource (expected "${kind.kind}")`;
  }
  if (body.apiVersion !== undefined && body.apiVersion !== KUBEDB_API_VERSION) {
    return `the apiVersion "${String(body.apiVersion)}" does not match "${KUBEDB_API_VERSION}"`;
  }
  const { name, resourceVersion } = body.metadata;
  if (name !== undefined && typeof name !== 'string') return 'metadata.name must be a string';
  if (resourceVersion !== undefined && typeof resourceVersion !== 'string')
    return 'metadata.resourceVersion must be a string';
  return { ...body, metadata: body.metadata, apiVersion: KUBEDB_API_VERSION, kind: kind.kind } as CheckedBody;
}

function stripServerFields(metadata: Record<string, unknown>): ObjectInput['metadata'] {
  const {
    uid: _uid,
    resourceVersion: _rv,
    generation: _generation,
    creationTimestamp: _created,
    generateName: _generateName,
    ...rest
  } = metadata;
  return rest as ObjectInput['metadata'];
}
