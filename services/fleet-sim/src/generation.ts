import { deepEqual, isRecord, type KubeObject } from './kube-object.ts';

/**
 * WriteTarget says which part of an object a write may change, as the API server's status
 * subresource does: `main` (PUT/PATCH on the resource) changes everything but `status`; `status`
 * (the `/status` subresource) changes only `status`; `control` (the simulator's own control API,
 * standing in for the KubeDB operator and for drift) may change both.
 */
export type WriteTarget = 'main' | 'status' | 'control';

/**
 * mergeWrite returns the object to store when `incoming` replaces `existing` through `target`.
 * Identity fields (name, namespace, uid, creationTimestamp) always come from `existing`;
 * `metadata.generation` increments exactly when `spec` changes (metadata and status changes never
 * bump it), like the API server's generation rule for custom resources. `resourceVersion` is left
 * for the store to stamp.
 */
export function mergeWrite(existing: KubeObject, incoming: KubeObject, target: WriteTarget): KubeObject {
  const base: KubeObject =
    target === 'status'
      ? { ...existing, ...(incoming.status === undefined ? {} : { status: incoming.status }) }
      : target === 'main'
        ? withStatus({ ...incoming }, existing.status)
        : { ...incoming };
  if (target === 'status' && incoming.status === undefined) delete base.status;
  const metadata = target === 'status' ? { ...existing.metadata } : { ...incoming.metadata };
  metadata.name = existing.metadata.name;
  metadata.namespace = existing.metadata.namespace;
  metadata.uid = existing.metadata.uid;
  metadata.creationTimestamp = existing.metadata.creationTimestamp;
  metadata.generation = deepEqual(existing.spec, base.spec)
    ? existing.metadata.generation
    : existing.metadata.generation + 1;
  return { ...base, apiVersion: existing.apiVersion, kind: existing.kind, metadata };
}

function withStatus(object: KubeObject, status: unknown): KubeObject {
  if (status === undefined) {
    delete object.status;
    return object;
  }
  return { ...object, status };
}

/** specChanged is true when a write changed `spec` (and so bumped `metadata.generation`). */
export function specChanged(before: KubeObject, after: KubeObject): boolean {
  return !deepEqual(before.spec, after.spec);
}

/** observedGenerationOf reads `status.observedGeneration`, or undefined when absent or malformed. */
export function observedGenerationOf(object: KubeObject): number | undefined {
  const status = object.status;
  if (!isRecord(status)) return undefined;
  const value = status.observedGeneration;
  return typeof value === 'number' ? value : undefined;
}
