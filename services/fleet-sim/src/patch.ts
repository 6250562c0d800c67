import { cloneJson, deepEqual, isRecord } from './kube-object.ts';

/** PatchType is the patch format named by the request's Content-Type. */
export type PatchType = 'merge' | 'json' | 'strategic';

/** PatchResult is the patched document or why the patch could not be applied (answered with 422). */
export type PatchResult =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

/**
 * patchTypeOf maps a Content-Type to a PatchType, or undefined for an unsupported one (415).
 * Strategic merge patch is applied as a JSON merge patch (custom resources carry no merge keys).
 * The real API server refuses it for custom resources with 415; the simulator is lenient here so
 * kubectl's default `kubectl patch` works.
 */
export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/merge-patch+json') return 'merge';
  if (mediaType === 'application/json-patch+json') return 'json';
  if (mediaType === 'application/strategic-merge-patch+json') return 'strategic';
  return undefined;
}

/** applyPatch applies `patch` of `type` to a copy of `target`; `target` is never mutated. */
export function applyPatch(target: unknown, patch: unknown, type: PatchType): PatchResult {
  if (type === 'json') return applyJsonPatch(target, patch);
  return { ok: true, value: applyMergePatch(target, patch) };
}

/**
 * applyMergePatch implements RFC 7386: objects merge recursively, `null` deletes a member, anything
 * else (arrays included) replaces.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return cloneJson(patch);
  const result: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) Reflect.deleteProperty(result, key);
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** applyJsonPatch implements RFC 6902 (add, remove, replace, move, copy, test); atomic. */
export function applyJsonPatch(target: unknown, patch: unknown): PatchResult {
  if (!Array.isArray(patch)) return { ok: false, message: 'json patch must be an array of operations' };
  let doc = cloneJson(target);
  for (const operation of patch) {
    if (!isRecord(operation) || typeof operation.op !== 'string' || typeof operation.path !== 'string') {
      return { ok: false, message: 'json patch operation needs "op" and "path"' };
    }
    const path = parsePointer(operation.path);
    if (path === undefined) return { ok: false, message: `invalid JSON pointer "${operation.path}"` };
    const from = typeof operation.from === 'string' ? parsePointer(operation.from) : undefined;
    let outcome: { ok: true; doc: unknown } | { ok: false; message: string };
    switch (operation.op) {
      case 'add':
        outcome = add(doc, path, cloneJson(operation.value));
        break;
      case 'remove':
        outcome = remove(doc, path);
        break;
      case 'replace': {
        const removed = remove(doc, path);
        outcome = removed.ok ? add(removed.doc, path, cloneJson(operation.value)) : removed;
        break;
      }
      case 'move':
      case 'copy': {
        if (from === undefined) return { ok: false, message: `${operation.op} needs a valid "from"` };
        const value = read(doc, from);
        if (value === undefined) return { ok: false, message: `path "${String(operation.from)}" not found` };
        const source = operation.op === 'move' ? remove(doc, from) : { ok: true as const, doc };
        outcome = source.ok ? add(source.doc, path, cloneJson(value)) : source;
        break;
      }
      case 'test':
        outcome = deepEqual(read(doc, path), operation.value)
          ? { ok: true, doc }
          : { ok: false, message: `test failed at "${operation.path}"` };
        break;
      default:
        return { ok: false, message: `unknown json patch op "${operation.op}"` };
    }
    if (!outcome.ok) return outcome;
    doc = outcome.doc;
  }
  return { ok: true, value: doc };
}

function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function read(doc: unknown, path: readonly string[]): unknown {
  let node = doc;
  for (const token of path) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isRecord(node)) node = node[token];
    else return undefined;
  }
  return node;
}

type Step = { ok: true; doc: unknown } | { ok: false; message: string };

function add(doc: unknown, path: readonly string[], value: unknown): Step {
  if (path.length === 0) return { ok: true, doc: value };
  const parent = read(doc, path.slice(0, -1));
  const last = path.at(-1) as string;
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      return { ok: false, message: `array index ${last} out of range` };
    }
    parent.splice(index, 0, value);
    return { ok: true, doc };
  }
  if (isRecord(parent)) {
    parent[last] = value;
    return { ok: true, doc };
  }
  return { ok: false, message: `parent of "/${path.join('/')}" does not exist` };
}

function remove(doc: unknown, path: readonly string[]): Step {
  if (path.length === 0) return { ok: true, doc: undefined };
  const parent = read(doc, path.slice(0, -1));
  const last = path.at(-1) as string;
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) {
      return { ok: false, message: `array index ${last} out of range` };
    }
    parent.splice(index, 1);
    return { ok: true, doc };
  }
  if (isRecord(parent) && Object.hasOwn(parent, last)) {
    Reflect.deleteProperty(parent, last);
    return { ok: true, doc };
  }
  return { ok: false, message: `path "/${path.join('/')}" not found` };
}
