import type { KubeObject } from './kube-object.ts';

/** Selector decides whether an object matches a LIST/WATCH's label and field selectors. */
export type Selector = (object: KubeObject) => boolean;

/** SelectorResult is a parsed selector, or the reason it could not be parsed (answered with 400). */
export type SelectorResult =
  { readonly ok: true; readonly matches: Selector } | { readonly ok: false; readonly message: string };

const SUPPORTED_FIELDS = new Set(['metadata.name', 'metadata.namespace']);

/**
 * parseSelectors parses `labelSelector` (equality-based: `k=v`, `k==v`, `k!=v`, `k`, `!k`, and
 * set-based `k in (a,b)` / `k notin (a,b)`) and `fieldSelector` (`metadata.name` and
 * `metadata.namespace` with `=`, `==`, `!=`, as custom resources support).
 */
export function parseSelectors(
  labelSelector: string | undefined,
  fieldSelector: string | undefined,
): SelectorResult {
  const tests: Selector[] = [];
  for (const term of splitTerms(labelSelector)) {
    const parsed = parseLabelTerm(term);
    if (typeof parsed === 'string') return { ok: false, message: parsed };
    tests.push(parsed);
  }
  for (const term of splitTerms(fieldSelector)) {
    const match = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (match === null || !SUPPORTED_FIELDS.has(match[1] ?? '')) {
      return { ok: false, message: `field label not supported: ${term}` };
    }
    const [, field, op, value] = match;
    const read = (o: KubeObject) => (field === 'metadata.name' ? o.metadata.name : o.metadata.namespace);
    tests.push(op === '!=' ? (o) => read(o) !== value : (o) => read(o) === value);
  }
  return { ok: true, matches: (object) => tests.every((test) => test(object)) };
}

function splitTerms(selector: string | undefined): string[] {
  if (!selector) return [];
  // Commas inside `in (a,b)` do not separate terms.
  return (selector.match(/[^,(]+(\([^)]*\))?/g) ?? []).map((t) => t.trim()).filter((t) => t !== '');
}

function parseLabelTerm(term: string): Selector | string {
  const set = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set !== null) {
    const [, key = '', op, list = ''] = set;
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in'
      ? (o) => values.has(o.metadata.labels?.[key] ?? '\u0000absent')
      : (o) => !values.has(o.metadata.labels?.[key] ?? '\u0000absent');
  }
  const eq = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(term);
  if (eq !== null) {
    const [, key = '', op, value] = eq;
    return op === '!='
      ? (o) => o.metadata.labels?.[key] !== value
      : (o) => o.metadata.labels?.[key] === value;
  }
  const exists = /^(!?)([\w./-]+)$/.exec(term);
  if (exists !== null) {
    const [, not, key = ''] = exists;
    return not
      ? (o) => o.metadata.labels?.[key] === undefined
      : (o) => o.metadata.labels?.[key] !== undefined;
  }
  return `unable to parse requirement: ${term}`;
}
