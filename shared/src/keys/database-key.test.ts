import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DriftlineError } from '../errors/index.ts';
import {
  formatKey,
  parseKey,
  providerOfKey,
  safeParseKey,
  validateKeyPart,
  type DatabaseKey,
} from './database-key.ts';

const orders: DatabaseKey = { provider: 'prov-1', namespace: 'team-a', kind: 'MongoDB', name: 'orders' };

function keyError(run: () => unknown): DriftlineError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DriftlineError);
    const e = error as DriftlineError;
    expect(e.code).toBe('KEY_INVALID');
    expect(e.retryable).toBe(false);
    return e;
  }
  throw new Error('expected a KEY_INVALID error');
}

describe('formatKey / parseKey', () => {
  it('writes provider/namespace/kind/name and reads it back', () => {
    expect(formatKey(orders)).toBe('prov-1/team-a/MongoDB/orders');
    expect(parseKey('prov-1/team-a/MongoDB/orders')).toEqual(orders);
    expect(providerOfKey('prov-1/team-a/MongoDB/orders')).toBe('prov-1');
  });

  it('accepts a whole record and uses only the key fields', () => {
    expect(formatKey({ ...orders, replicas: 3 } as DatabaseKey)).toBe('prov-1/team-a/MongoDB/orders');
  });

  it('percent-encodes "/" and "%" in a provider id so they cannot break the split', () => {
    const odd = { ...orders, provider: 'eu/fra%1' };
    const text = formatKey(odd);
    expect(text).toBe('eu%2Ffra%251/team-a/MongoDB/orders');
    expect(text.split('/')).toHaveLength(4);
    expect(parseKey(text)).toEqual(odd);
    expect(providerOfKey(text)).toBe('eu/fra%1');
    // A literal "%2F" in an id is not confused with an escaped "/".
    expect(parseKey(formatKey({ ...orders, provider: '%2F' })).provider).toBe('%2F');
  });

  it.each([
    [{ ...orders, provider: '' }, 'provider'],
    [{ ...orders, provider: 'has space' }, 'provider'],
    [{ ...orders, provider: 'prövider' }, 'provider'],
    [{ ...orders, provider: 'x'.repeat(254) }, 'provider'],
    [{ ...orders, namespace: 'Team-A' }, 'namespace'],
    [{ ...orders, namespace: '-team' }, 'namespace'],
    [{ ...orders, namespace: 'a'.repeat(64) }, 'namespace'],
    [{ ...orders, namespace: 'a/b' }, 'namespace'],
    [{ ...orders, kind: 'mongodb' }, 'kind'],
    [{ ...orders, kind: 'Mongo-DB' }, 'kind'],
    [{ ...orders, kind: '' }, 'kind'],
    [{ ...orders, name: 'orders.v2' }, 'name'],
    [{ ...orders, name: 'orders-' }, 'name'],
    [{ ...orders, name: 'ORDERS' }, 'name'],
    [{ ...orders, name: undefined as unknown as string }, 'name'],
  ])('formatKey rejects %j naming the %s', (key, part) => {
    const error = keyError(() => formatKey(key));
    expect(error.message).toContain(`invalid ${part}`);
    expect(error.message).toMatch(/must be /);
    expect(error.details?.part).toBe(part);
  });

  it.each([
    ['', /4 parts/],
    ['prov-1/team-a/MongoDB', /\(4 parts\), got 3/],
    ['prov-1/team-a/MongoDB/orders/extra', /got 5/],
    ['prov-1//MongoDB/orders', /invalid namespace ""/],
    ['prov-1/team-a/mongodb/orders', /invalid kind "mongodb"/],
    ['prov-1/team-a/MongoDB/Orders', /invalid name "Orders"/],
    ['eu%2ffra/team-a/MongoDB/orders', /escapes %25 or %2F/],
    ['eu%zz/team-a/MongoDB/orders', /escapes %25 or %2F/],
    ['100%/team-a/MongoDB/orders', /escapes %25 or %2F/],
    ['prov-1/team%2Da/MongoDB/orders', /invalid namespace/],
    [' prov-1/team-a/MongoDB/orders', /invalid provider/],
  ])('parseKey rejects %j', (text, reason) => {
    expect(keyError(() => parseKey(text)).message).toMatch(reason);
  });

  it('validateKeyPart returns a valid part and rejects an invalid one', () => {
    expect(validateKeyPart('kind', 'Postgres')).toBe('Postgres');
    expect(keyError(() => validateKeyPart('kind', 'postgres')).details?.part).toBe('kind');
  });

  it('safeParseKey reports instead of throwing', () => {
    expect(safeParseKey('a/b/C/d')).toEqual({
      ok: true,
      key: { provider: 'a', namespace: 'b', kind: 'C', name: 'd' },
    });
    const bad = safeParseKey('a/b/c/d');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.details?.part).toBe('kind');
  });
});

const alnum = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
const label = fc
  .tuple(
    fc.constantFrom(...alnum),
    fc.string({ unit: fc.constantFrom(...alnum, '-'), maxLength: 61 }),
    fc.constantFrom(...alnum),
  )
  .map(([a, mid, z]) => (mid.length === 0 ? a : a + mid + z))
  .filter((s) => s.length <= 63);
const kind = fc
  .tuple(
    fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('')),
    fc.string({
      unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('')),
      maxLength: 20,
    }),
  )
  .map(([a, rest]) => a + rest);
// Visible ASCII, weighted towards the characters that need escaping.
const provider = fc.string({
  unit: fc.oneof(
    fc.constantFrom('/', '%', '2', 'F', '5'),
    fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  ),
  minLength: 1,
  maxLength: 40,
});
const databaseKey = fc.record({ provider, namespace: label, kind, name: label });

describe('key properties', () => {
  it('parseKey(formatKey(k)) equals k, and the string always has exactly four parts', () => {
    fc.assert(
      fc.property(databaseKey, (k) => {
        const text = formatKey(k);
        expect(text.split('/')).toHaveLength(4);
        expect(parseKey(text)).toEqual(k);
        expect(providerOfKey(text)).toBe(k.provider);
      }),
    );
  });

  it('distinct keys give distinct strings', () => {
    fc.assert(
      fc.property(databaseKey, databaseKey, (a, b) => {
        const same =
          a.provider === b.provider && a.namespace === b.namespace && a.kind === b.kind && a.name === b.name;
        expect(formatKey(a) === formatKey(b)).toBe(same);
      }),
    );
  });

  it('every accepted string is canonical: formatKey(parseKey(s)) === s; anything else is KEY_INVALID', () => {
    const noisy = fc.oneof(
      databaseKey.map((k) => formatKey(k)),
      fc.string({ unit: fc.constantFrom('a', 'B', '/', '%', '2', 'F', '5', '-', ' '), maxLength: 20 }),
    );
    fc.assert(
      fc.property(noisy, (text) => {
        const result = safeParseKey(text);
        if (result.ok) expect(formatKey(result.key)).toBe(text);
        else expect(result.error.code).toBe('KEY_INVALID');
      }),
    );
  });
});
