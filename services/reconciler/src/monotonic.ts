import type { DesiredDatabase, ObservedDatabase } from '@driftline/schemas';

/**
 * isNewerOrSameDesired tells whether `next` may replace `current` for the same key: its generation
 * (the platform's monotonic record version) is higher, or equal with a clusterTime ("t.i", MongoDB
 * cluster time: seconds, then increment) that is not older. Records without a comparable
 * clusterTime at equal generation are accepted: they are redeliveries of the same version.
 */
export function isNewerOrSameDesired(
  next: Pick<DesiredDatabase, 'generation' | 'clusterTime'>,
  current: Pick<DesiredDatabase, 'generation' | 'clusterTime'>,
): boolean {
  if (next.generation !== current.generation) return next.generation > current.generation;
  if (next.clusterTime === null || current.clusterTime === null) return true;
  return compareClusterTime(next.clusterTime, current.clusterTime) >= 0;
}

/**
 * isNewerOrSameObserved tells whether `next` may replace `current` for the same key. Kubernetes
 * says resourceVersion is opaque, but every API server backed by etcd uses the etcd revision, a
 * decimal integer that only grows; so an older one is refused only when both are decimal integers
 * of the same object (same uid). A recreated object (new uid) or any other format is accepted: the
 * per-key order of the compacted topic is then the only order there is.
 */
export function isNewerOrSameObserved(
  next: Pick<ObservedDatabase, 'uid' | 'resourceVersion'>,
  current: Pick<ObservedDatabase, 'uid' | 'resourceVersion'>,
): boolean {
  const a = next.resourceVersion;
  const b = current.resourceVersion;
  if (!isDecimal(a) || !isDecimal(b) || compareDecimal(a, b) >= 0) return true;
  // Only an older-looking record needs the uid (a recreated object starts its own count): reading
  // the held uid costs a cache miss on a key not touched for a while, so the common case skips it.
  return next.uid !== null && current.uid !== null && next.uid !== current.uid;
}

/**
 * revisionOf is a resourceVersion as a number when it is a decimal integer of at most 9 digits (a
 * small integer V8 keeps inside the state object itself), else null. Two revisions compare as
 * their resourceVersions do in isNewerOrSameObserved, without reading the held string — on a key
 * not touched for a while that string is a cache miss.
 */
export function revisionOf(resourceVersion: string): number | null {
  const length = resourceVersion.length;
  if (length === 0 || length > 9) return null;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const digit = resourceVersion.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return null;
    value = value * 10 + digit;
  }
  return value;
}

function compareClusterTime(a: string, b: string): number {
  const [at, ai] = splitClusterTime(a);
  const [bt, bi] = splitClusterTime(b);
  if (Number.isNaN(at) || Number.isNaN(bt)) return 0;
  return at !== bt ? at - bt : ai - bi;
}

function splitClusterTime(value: string): [number, number] {
  const dot = value.indexOf('.');
  if (dot < 0) return [Number(value), 0];
  return [Number(value.slice(0, dot)), Number(value.slice(dot + 1))];
}

function isDecimal(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Compares two decimal integer strings of any length without converting (etcd revisions are int64). */
function compareDecimal(a: string, b: string): number {
  let i = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  let j = 0;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la - lb;
  for (; i < a.length; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d;
  }
  return 0;
}
