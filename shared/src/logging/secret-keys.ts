/**
 * secretKeyNames is the one list of object keys whose values are never logged, whatever their
 * depth: passwords, tokens, kubeconfigs and the credential fields inside them, SASL passwords,
 * HTTP authorization headers. Matching ignores case, `-` and `_` (`client-key-data` =
 * `clientKeyData` = `CLIENT_KEY_DATA`); see `isSecretKey` for the suffix rules.
 */
export const secretKeyNames = [
  'password',
  'passwd',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'authToken',
  'bearerToken',
  'apiKey',
  'privateKey',
  'kubeconfig',
  'credentials',
  'authorization',
  'proxy-authorization',
  'cookie',
  'client-key-data',
  'client-certificate-data',
  'sasl',
] as const;

// Depth the pino redact paths reach; deeper keys are caught by the scrubber's walk.
const pathDepth = 4;

function normalize(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

const normalizedNames = new Set(secretKeyNames.map(normalize));

/**
 * isSecretKey tells whether a value stored under `key` must be censored: the key is one of
 * `secretKeyNames`, or ends in `password`, `secret`, `apikey` or `privatekey` (`saslPassword`,
 * `CLIENT_SECRET`). Keys that merely end in `token` (a change stream's `resumeToken`) are not
 * secret.
 */
export function isSecretKey(key: string): boolean {
  const normalized = normalize(key);
  return (
    normalizedNames.has(normalized) ||
    normalized.endsWith('password') ||
    normalized.endsWith('secret') ||
    normalized.endsWith('apikey') ||
    normalized.endsWith('privatekey')
  );
}

/**
 * redactPaths is `secretKeyNames` as pino redact paths at the top level and a few levels of
 * wildcard nesting. Declared from the same list, so the two layers cannot disagree.
 */
export function redactPaths(): string[] {
  const paths: string[] = [];
  for (const name of secretKeyNames) {
    const segment = /^[A-Za-z_$][\w$]*$/.test(name) ? name : `["${name}"]`;
    for (let depth = 0; depth < pathDepth; depth += 1) {
      const prefix = '*.'.repeat(depth);
      paths.push(segment.startsWith('[') ? `${prefix.slice(0, -1)}${segment}` : `${prefix}${segment}`);
    }
  }
  return paths;
}
