import { decodeContinue, encodeContinue } from './continue-token.ts';
import { KUBEDB_API_VERSION, type KubeDbKind } from './kinds.ts';
import { jsonOf, type KubeObject } from './kube-object.ts';
import type { Selector } from './selector.ts';
import { failure, expiredContinue, tooOldResourceVersion, type KubeStatus } from './status.ts';
import type { ClusterStore } from './store.ts';

/** ListQuery is a LIST request's parameters, already split out of the URL. */
export interface ListQuery {
  readonly namespace?: string | undefined;
  readonly limit?: number | undefined;
  readonly continue?: string | undefined;
  readonly resourceVersion?: string | undefined;
  readonly resourceVersionMatch?: string | undefined;
  readonly selector?: Selector | undefined;
  /** A 410 storm fault: any request that needs a revision older than the current one is expired. */
  readonly forceGone?: boolean | undefined;
}

/** KubeList is a `<Kind>List` response body. */
export interface KubeList {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

/**
 * listJson serializes a list page, reusing each item's cached JSON (see jsonOf): a page costs a
 * string join, not a serialization of every object again.
 */
export function listJson(list: KubeList): string {
  const head = JSON.stringify({ apiVersion: list.apiVersion, kind: list.kind, metadata: list.metadata });
  return `${head.slice(0, -1)},"items":[${list.items.map((item) => jsonOf(item)).join(',')}]}`;
}

/** ListResult is a list page or the Status to answer with. */
export type ListResult =
  { readonly ok: true; readonly list: KubeList } | { readonly ok: false; readonly status: KubeStatus };

/**
 * listObjects serves one LIST page with the API server's resourceVersion semantics:
 * - no `resourceVersion`, or `"0"`: the current state;
 * - `resourceVersion=N` with `resourceVersionMatch=NotOlderThan` (the default): the current state,
 *   or 504 when N is in the future;
 * - `resourceVersion=N` with `resourceVersionMatch=Exact`: the state at N, 410 Expired when N fell out
 *   of the history window;
 * - `continue`: the next page of the snapshot the token names, 410 Expired when it was compacted.
 * Items are ordered by `namespace/name`. `limit` cuts the page and sets `metadata.continue` and
 * `remainingItemCount` (the latter only without a selector, as the API server does).
 */
export function listObjects(store: ClusterStore, kind: KubeDbKind, query: ListQuery): ListResult {
  const plan = planRevision(store, query);
  if (!plan.ok) return plan;
  const snapshot = store.snapshot(kind.plural, plan.revision);
  if (snapshot === 'expired') {
    return {
      ok: false,
      status: plan.fromContinue
        ? expiredContinue()
        : tooOldResourceVersion(plan.revision, store.compactedThrough),
    };
  }
  const prefix = query.namespace === undefined ? '' : `${query.namespace}/`;
  const keys = snapshot.keys;
  let index = lowerBound(keys, plan.after === undefined ? prefix : `${plan.after}\u0000`);
  const limit = query.limit !== undefined && query.limit > 0 ? query.limit : Infinity;
  const items: KubeObject[] = [];
  let lastKey: string | undefined;
  for (; index < keys.length && items.length < limit; index += 1) {
    const key = keys[index] as string;
    if (!key.startsWith(prefix)) break;
    const object = snapshot.get(key);
    if (object === undefined || (query.selector !== undefined && !query.selector(object))) continue;
    items.push(object);
    lastKey = key;
  }
  const metadata: KubeList['metadata'] = { resourceVersion: String(snapshot.revision) };
  const remaining = countRemaining(keys, index, prefix, query.selector, snapshot.get);
  if (remaining > 0 && lastKey !== undefined) {
    metadata.continue = encodeContinue({ revision: snapshot.revision, after: lastKey });
    if (query.selector === undefined) metadata.remainingItemCount = remaining;
  }
  return { ok: true, list: { apiVersion: KUBEDB_API_VERSION, kind: `${kind.kind}List`, metadata, items } };
}

type RevisionPlan =
  | { ok: true; revision: number; after: string | undefined; fromContinue: boolean }
  | { ok: false; status: KubeStatus };

function planRevision(store: ClusterStore, query: ListQuery): RevisionPlan {
  const current = store.revision;
  if (query.continue) {
    if (query.resourceVersion && query.resourceVersion !== '0') {
      return {
        ok: false,
        status: failure('BadRequest', 'specifying resource version is not allowed when using continue'),
      };
    }
    const token = decodeContinue(query.continue);
    if (token === undefined) return { ok: false, status: failure('BadRequest', 'continue key is not valid') };
    if (query.forceGone && token.revision < current) return { ok: false, status: expiredContinue() };
    return { ok: true, revision: token.revision, after: token.after, fromContinue: true };
  }
  const rv = query.resourceVersion;
  if (!rv || rv === '0') return { ok: true, revision: current, after: undefined, fromContinue: false };
  const requested = Number(rv);
  if (!Number.isInteger(requested) || requested < 0) {
    return { ok: false, status: failure('BadRequest', `invalid resource version: ${rv}`) };
  }
  if (requested > current) {
    return {
      ok: false,
      status: failure('Timeout', `Too large resource version: ${requested}, current: ${current}`),
    };
  }
  if (query.resourceVersionMatch === 'Exact') {
    if (query.forceGone && requested < current) {
      return { ok: false, status: tooOldResourceVersion(requested, current) };
    }
    return { ok: true, revision: requested, after: undefined, fromContinue: false };
  }
  if (query.resourceVersionMatch !== undefined && query.resourceVersionMatch !== 'NotOlderThan') {
    return {
      ok: false,
      status: failure('BadRequest', `unsupported resourceVersionMatch: ${query.resourceVersionMatch}`),
    };
  }
  return { ok: true, revision: current, after: undefined, fromContinue: false };
}

function lowerBound(keys: readonly string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countRemaining(
  keys: readonly string[],
  from: number,
  prefix: string,
  selector: Selector | undefined,
  get: (key: string) => KubeObject | undefined,
): number {
  let count = 0;
  for (let i = from; i < keys.length; i += 1) {
    const key = keys[i] as string;
    if (!key.startsWith(prefix)) break;
    const object = get(key);
    if (object !== undefined && (selector === undefined || selector(object))) count += 1;
  }
  return count;
}
