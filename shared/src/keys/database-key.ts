import { DriftlineError } from '../errors/index.ts';

/**
 * DatabaseKey identifies one database across the fleet: the provider (cluster) it runs on, and
 * the namespace, KubeDB kind and name of its custom resource. Its string form
 * `provider/namespace/kind/name` is the Kafka message key of every database topic.
 */
export interface DatabaseKey {
  readonly provider: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
}

/** KeyPart names one component of a DatabaseKey. */
export type KeyPart = keyof DatabaseKey;

/**
 * MAX_PROVIDER_ID_LENGTH bounds a provider id; 253 is the DNS subdomain limit, enough for a slug,
 * a UUID or a MongoDB ObjectId.
 */
export const MAX_PROVIDER_ID_LENGTH = 253;

// DNS-1123 label: what Kubernetes requires of namespaces and of the names KubeDB turns into
// Services and StatefulSets.
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// KubeDB kinds are PascalCase Go type names: MongoDB, Postgres, MySQL, Redis, MariaDB, …
const kindIdentifier = /^[A-Z][A-Za-z0-9]*$/;
// Provider ids: visible ASCII, so a key never hides whitespace, control or look-alike characters.
const providerId = /^[\x21-\x7e]+$/;

const rules: Readonly<Record<KeyPart, { test: (value: string) => boolean; rule: string }>> = {
  provider: {
    test: (v) => v.length <= MAX_PROVIDER_ID_LENGTH && providerId.test(v),
    rule: `1-${MAX_PROVIDER_ID_LENGTH} visible ASCII characters (no whitespace)`,
  },
  namespace: {
    test: (v) => v.length <= 63 && dns1123Label.test(v),
    rule: 'a DNS-1123 label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit',
  },
  kind: {
    test: (v) => v.length <= 63 && kindIdentifier.test(v),
    rule: 'a KubeDB kind: 1-63 letters or digits starting with an uppercase letter, e.g. MongoDB',
  },
  name: {
    test: (v) => v.length <= 63 && dns1123Label.test(v),
    rule: 'a DNS-1123 label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit',
  },
};

const keyParts: readonly KeyPart[] = ['provider', 'namespace', 'kind', 'name'];

function shown(text: string): string {
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text);
}

function invalidPart(part: KeyPart, value: unknown, key?: string): DriftlineError {
  const where = key === undefined ? '' : ` in key ${shown(key)}`;
  const what = typeof value === 'string' ? shown(value) : `a ${typeof value}`;
  return new DriftlineError('KEY_INVALID', `invalid ${part} ${what}${where}: must be ${rules[part].rule}`, {
    details: { part, ...(key === undefined ? {} : { key: key.slice(0, 300) }) },
  });
}

/**
 * validateKeyPart checks one component against its rule and returns it. Throws DriftlineError
 * `KEY_INVALID` naming the part and the rule it breaks.
 */
export function validateKeyPart(part: KeyPart, value: unknown): string {
  if (typeof value !== 'string' || !rules[part].test(value)) throw invalidPart(part, value);
  return value;
}

/**
 * escapeKeyPart percent-encodes `%` as `%25` and `/` as `%2F`, so no component can add or hide a
 * separator. Only provider ids can contain either character; the other parts pass unchanged.
 */
function escapeKeyPart(value: string): string {
  // Nearly every part has neither character: a scan is cheaper than two regex replaces per part.
  if (!value.includes('%') && !value.includes('/')) return value;
  return value.replace(/%/g, '%25').replace(/\//g, '%2F');
}

function unescapeKeyPart(part: KeyPart, value: string, key: string): string {
  // Only the two escapes formatKey writes, upper case: each key has exactly one spelling.
  if (/%(?!25|2F)/.test(value)) {
    throw new DriftlineError(
      'KEY_INVALID',
      `invalid ${part} ${shown(value)} in key ${shown(key)}: "%" may only start the escapes %25 or %2F`,
      { details: { part, key: key.slice(0, 300) } },
    );
  }
  return value.replace(/%2F/g, '/').replace(/%25/g, '%');
}

/**
 * formatKey writes the canonical key string `provider/namespace/kind/name`, validating each
 * component and percent-encoding `%` and `/` inside it. Accepts any record with those four
 * fields (desired, observed, drift, operations). Throws DriftlineError `KEY_INVALID` naming the
 * first invalid part. `parseKey(formatKey(k))` equals k.
 */
export function formatKey(key: DatabaseKey): string {
  return keyParts.map((part) => escapeKeyPart(validateKeyPart(part, key[part]))).join('/');
}

/**
 * parseKey reads a key string written by formatKey: exactly four `/`-separated components, each
 * unescaped and validated. Strict: any other spelling of the same key (a lowercase `%2f`, an
 * unnecessary escape) is rejected, so `formatKey(parseKey(s)) === s` for every accepted s.
 * Throws DriftlineError `KEY_INVALID` naming the part that is wrong.
 */
export function parseKey(text: string): DatabaseKey {
  if (typeof text !== 'string') {
    throw new DriftlineError('KEY_INVALID', `invalid key: expected a string, got a ${typeof text}`);
  }
  const segments = text.split('/');
  if (segments.length !== 4) {
    throw new DriftlineError(
      'KEY_INVALID',
      `invalid key ${shown(text)}: expected provider/namespace/kind/name (4 parts), got ${segments.length}`,
      { details: { key: text.slice(0, 300) } },
    );
  }
  // Without any '%' (nearly every key) nothing is escaped: the segments are the parts, and
  // formatKey would write `text` back unchanged, so the canonical-form check can be skipped.
  const plain = !text.includes('%');
  const values = keyParts.map((part, i) => {
    const segment = segments[i] ?? '';
    const value = plain ? segment : unescapeKeyPart(part, segment, text);
    if (!rules[part].test(value)) throw invalidPart(part, value, text);
    return value;
  });
  const [provider = '', namespace = '', kind = '', name = ''] = values;
  const key: DatabaseKey = { provider, namespace, kind, name };
  if (!plain && formatKey(key) !== text) {
    throw new DriftlineError('KEY_INVALID', `invalid key ${shown(text)}: not in canonical form`, {
      details: { key: text.slice(0, 300) },
    });
  }
  return key;
}

/** SafeParseKeyResult is parseKey's outcome without throwing. */
export type SafeParseKeyResult = { ok: true; key: DatabaseKey } | { ok: false; error: DriftlineError };

/** safeParseKey is parseKey returning `{ ok: false, error }` instead of throwing. */
export function safeParseKey(text: string): SafeParseKeyResult {
  try {
    return { ok: true, key: parseKey(text) };
  } catch (error) {
    if (error instanceof DriftlineError) return { ok: false, error };
    throw error;
  }
}

/**
 * providerOfKey returns the (unescaped) provider id of a key string: the Kafka key of the
 * provider topics. Throws DriftlineError `KEY_INVALID` like parseKey.
 */
export function providerOfKey(text: string): string {
  return parseKey(text).provider;
}
