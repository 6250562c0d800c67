import { isSecretKey } from './secret-keys.ts';

/** censored is what a secret is replaced with in logs and printed config. */
export const censored = '[REDACTED]';

// Depth past which a logged object is cut off: bounds the walk on accidental huge objects.
const maxDepth = 10;

interface TextRule {
  readonly pattern: RegExp;
  readonly replacement: string;
}

// Order matters: PEM blocks and bearer tokens go before the generic key=value rule.
const textRules: readonly TextRule[] = [
  // PEM blocks, also truncated ones (BEGIN without END).
  {
    pattern: /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g,
    replacement: `-----BEGIN $1----- ${censored} -----END $1-----`,
  },
  // Base64 of "-----BEGIN" (kubeconfig *-data fields).
  { pattern: /LS0tLS1CRUdJTi[A-Za-z0-9+/=]*/g, replacement: censored },
  // JWTs (service account tokens, OIDC id-tokens).
  { pattern: /\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, replacement: censored },
  // Authorization header values.
  { pattern: /\b(Bearer|Basic)\s+[\w\-.~+/]+=*/gi, replacement: `$1 ${censored}` },
  // Userinfo in URLs: greedy to the last '@' of the token, so an unescaped '@' or '/' in the
  // password is still covered; over-censoring a token is the safe way to be wrong.
  { pattern: /\b([a-z][a-z0-9+.-]*:\/\/)([^:/?#@\s'"]*):[^\s'"]*@/gi, replacement: `$1$2:***@` },
  // key=value and "key": "value" pairs in query strings, YAML, JSON or prose.
  {
    pattern:
      /((?:password|passwd|pwd|secret|token|api[-_]?key|client-key-data|client-certificate-data|authorization)["']?\s*[:=]\s*["']?)(?!\[REDACTED\]|\*\*\*|(?:Bearer|Basic)\s)[^\s"',&;}]+/gi,
    replacement: `$1${censored}`,
  },
];

// Every rule below needs one of these substrings to match; keep the two in step.
const mightHoldSecret =
  /:\/\/|bearer|basic|-----BEGIN|LS0tLS1|eyJ|passw|pwd|secret|token|api[-_]?key|client-key-data|client-certificate-data|authorization/i;

/**
 * scrubText censors credentials inside free text: passwords in connection strings
 * (`mongodb://user:***@host`), bearer/basic tokens, PEM blocks (also base64-encoded), JWTs and
 * `password=`/`token:`-style pairs. Use it on anything that leaves the process as text
 * (log messages, dead-letter `errorMessage`).
 */
export function scrubText(text: string): string {
  // One cheap scan first: most log strings contain none of the rules' trigger words.
  if (!mightHoldSecret.test(text)) return text;
  let result = text;
  for (const rule of textRules) result = result.replace(rule.pattern, rule.replacement);
  return result;
}

function scrubError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: error.name,
    message: scrubText(error.message),
    stack: error.stack === undefined ? undefined : scrubText(error.stack),
  };
  for (const [key, value] of Object.entries(error)) {
    out[key] = isSecretKey(key) ? censored : walk(value, depth + 1, seen);
  }
  if (error.cause !== undefined) out['cause'] = walk(error.cause, depth + 1, seen);
  if (error instanceof AggregateError) out['errors'] = walk(error.errors, depth + 1, seen);
  return out;
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > maxDepth) return '[Truncated]';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (value instanceof Error) return scrubError(value, depth, seen);
    if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
    if (value instanceof Date) return value;
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, seen));
    if (value instanceof Map) return walk(Object.fromEntries(value), depth, seen);
    if (value instanceof Set) return walk([...value], depth, seen);
    const json = (value as { toJSON?: unknown }).toJSON;
    if (typeof json === 'function') return walk(json.call(value), depth + 1, seen);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = isSecretKey(key) ? censored : walk(item, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/**
 * scrubValue returns a copy of `value` safe to log: values under secret keys (`isSecretKey`)
 * replaced by `censored` at any depth, every string passed through `scrubText`, errors turned
 * into plain `{ type, message, stack, ...props, cause }` objects (scrubbed too), byte arrays
 * summarised, cycles and very deep nesting cut. The input is never mutated.
 */
export function scrubValue(value: unknown): unknown {
  return walk(value, 0, new WeakSet());
}
