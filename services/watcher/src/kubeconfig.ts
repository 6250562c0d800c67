import { inspect } from 'node:util';
import { DriftlineError } from '@driftline/shared/errors';
import { parse } from 'yaml';

/**
 * ProviderKubeconfig is a kubeconfig that passed `validateKubeconfig`: one API server and inline
 * credentials, nothing that reads a file or runs a command. The secret fields (`token`,
 * `keyData`, `certData`) are hidden from `JSON.stringify`, `util.inspect` and pino (its `toJSON`
 * and inspect output say `[redacted]`), so an accidental log line cannot leak them.
 */
export interface ProviderKubeconfig {
  readonly server: string;
  readonly caData: string | undefined;
  readonly tlsServerName: string | undefined;
  readonly token: string | undefined;
  readonly certData: string | undefined;
  readonly keyData: string | undefined;
  /** True only when the server is plain http, which requires the explicit opt-in. */
  readonly insecureHttp: boolean;
}

/** KubeconfigOptions: `allowInsecureHttp` permits an `http://` server (the local fleet only). */
export interface KubeconfigOptions {
  readonly allowInsecureHttp: boolean;
}

// A kubeconfig is a few kilobytes; a megabyte is a mistake or an attack.
const maxKubeconfigBytes = 1024 * 1024;

const allowedClusterFields = new Set([
  'server',
  'certificate-authority-data',
  'tls-server-name',
  'insecure-skip-tls-verify',
  'extensions',
]);
const allowedUserFields = new Set(['token', 'client-certificate-data', 'client-key-data', 'extensions']);

// Why each refused field is refused: said in the error, so whoever registered it can fix it.
const refusedFields: Readonly<Record<string, string>> = {
  exec: 'exec plugins run a command on the watcher host',
  'auth-provider': 'auth-provider plugins run code and refresh tokens outside the watcher',
  tokenFile: 'file references read the watcher host file system',
  'token-file': 'file references read the watcher host file system',
  'client-certificate': 'file references read the watcher host file system',
  'client-key': 'file references read the watcher host file system',
  'certificate-authority': 'file references read the watcher host file system',
  username: 'basic authentication is not supported',
  password: 'basic authentication is not supported',
  as: 'impersonation is not supported',
  'as-groups': 'impersonation is not supported',
  'as-uid': 'impersonation is not supported',
  'as-user-extra': 'impersonation is not supported',
  'proxy-url': 'proxies are not supported',
};

function refuse(field: string, why: string): DriftlineError {
  return new DriftlineError('KUBECONFIG_REFUSED', `kubeconfig refused: ${field}: ${why}`, {
    details: { field },
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkFields(entry: Record<string, unknown>, path: string, allowed: ReadonlySet<string>): void {
  for (const field of Object.keys(entry)) {
    const why = refusedFields[field];
    if (why !== undefined) throw refuse(`${path}.${field}`, why);
    if (!allowed.has(field)) throw refuse(`${path}.${field}`, 'unknown field');
  }
}

function optionalString(entry: Record<string, unknown>, field: string, path: string): string | undefined {
  const value = entry[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw refuse(`${path}.${field}`, 'must be a string');
  return value;
}

function named(list: unknown, section: string, name: string | undefined): [Record<string, unknown>, string] {
  if (!Array.isArray(list) || list.length === 0) throw refuse(section, 'missing');
  const index = name === undefined ? 0 : list.findIndex((e) => isObject(e) && e['name'] === name);
  if (index === -1) throw refuse(section, `no entry named by the current context`);
  const entry: unknown = list[index];
  const inner: unknown = isObject(entry) ? entry[section === 'clusters' ? 'cluster' : 'user'] : undefined;
  const path = `${section}[${index}].${section === 'clusters' ? 'cluster' : 'user'}`;
  if (!isObject(inner)) throw refuse(path, 'missing');
  return [inner, path];
}

function secretSafe(config: ProviderKubeconfig): ProviderKubeconfig {
  const view = (): Record<string, unknown> => ({
    server: config.server,
    caData: config.caData === undefined ? undefined : '[redacted]',
    tlsServerName: config.tlsServerName,
    token: config.token === undefined ? undefined : '[redacted]',
    certData: config.certData === undefined ? undefined : '[redacted]',
    keyData: config.keyData === undefined ? undefined : '[redacted]',
    insecureHttp: config.insecureHttp,
  });
  const result = {} as ProviderKubeconfig;
  for (const [field, value] of Object.entries(config)) {
    const secret = field === 'token' || field === 'certData' || field === 'keyData';
    Object.defineProperty(result, field, { value, enumerable: !secret });
  }
  Object.defineProperty(result, 'toJSON', { value: view, enumerable: false });
  Object.defineProperty(result, inspect.custom, { value: () => view(), enumerable: false });
  return Object.freeze(result);
}

/**
 * validateKubeconfig parses an untrusted kubeconfig (YAML or JSON text, or an already parsed
 * object) and returns the current context's server and credentials. Accepted: an `https` server
 * (`http` only with `allowInsecureHttp`), inline `certificate-authority-data`, and either a
 * bearer `token` or inline `client-certificate-data` + `client-key-data`. Anything else throws a
 * non-retryable `DriftlineError('KUBECONFIG_REFUSED')` whose message and `details.field` name
 * the refused field — `exec`, `auth-provider`, any file reference (`tokenFile`,
 * `client-certificate`, `client-key`, `certificate-authority`), basic auth, impersonation,
 * proxies, unknown fields, skipping TLS verification. Values never appear in the error.
 */
export function validateKubeconfig(input: string | unknown, options: KubeconfigOptions): ProviderKubeconfig {
  let document: unknown = input;
  if (typeof input === 'string') {
    if (Buffer.byteLength(input) > maxKubeconfigBytes) throw refuse('(document)', 'larger than 1 MiB');
    try {
      document = parse(input, { maxAliasCount: 10 });
    } catch (error) {
      throw new DriftlineError('KUBECONFIG_REFUSED', 'kubeconfig refused: (document): not valid YAML', {
        details: { field: '(document)' },
        cause: error instanceof Error ? new Error(error.name) : undefined,
      });
    }
  }
  if (!isObject(document)) throw refuse('(document)', 'not a kubeconfig object');
  const preferences = document['preferences'];
  if (isObject(preferences) && Object.keys(preferences).length > 0) {
    throw refuse('preferences', 'not supported');
  }
  let clusterName: string | undefined;
  let userName: string | undefined;
  const currentName = document['current-context'];
  if (Array.isArray(document['contexts']) && document['contexts'].length > 0) {
    const contexts = document['contexts'] as unknown[];
    const found =
      typeof currentName === 'string' && currentName !== ''
        ? contexts.find((c) => isObject(c) && c['name'] === currentName)
        : contexts[0];
    if (!isObject(found) || !isObject(found['context'])) throw refuse('current-context', 'no such context');
    const context = found['context'];
    clusterName = typeof context['cluster'] === 'string' ? context['cluster'] : undefined;
    userName = typeof context['user'] === 'string' ? context['user'] : undefined;
  }
  const [cluster, clusterPath] = named(document['clusters'], 'clusters', clusterName);
  const [user, userPath] = named(document['users'], 'users', userName);
  checkFields(cluster, clusterPath, allowedClusterFields);
  checkFields(user, userPath, allowedUserFields);

  const serverText = optionalString(cluster, 'server', clusterPath);
  if (serverText === undefined) throw refuse(`${clusterPath}.server`, 'missing');
  let server: URL;
  try {
    server = new URL(serverText);
  } catch {
    throw refuse(`${clusterPath}.server`, 'not a URL');
  }
  if (server.username !== '' || server.password !== '') {
    throw refuse(`${clusterPath}.server`, 'credentials in the URL are not allowed');
  }
  const insecureHttp = server.protocol === 'http:';
  if (insecureHttp && !options.allowInsecureHttp) {
    throw refuse(`${clusterPath}.server`, 'plain http needs the allowInsecureHttp opt-in');
  }
  if (!insecureHttp && server.protocol !== 'https:') throw refuse(`${clusterPath}.server`, 'must be https');
  // Meaningless for plain http (no TLS to verify), so tolerated there: kubeconfigs for http
  // servers carry it because client-node refuses http without it.
  if (cluster['insecure-skip-tls-verify'] === true && !insecureHttp) {
    throw refuse(`${clusterPath}.insecure-skip-tls-verify`, 'skipping TLS verification is not allowed');
  }

  const token = optionalString(user, 'token', userPath);
  const certData = optionalString(user, 'client-certificate-data', userPath);
  const keyData = optionalString(user, 'client-key-data', userPath);
  if ((certData === undefined) !== (keyData === undefined)) {
    throw refuse(userPath, 'client-certificate-data and client-key-data go together');
  }
  if (token === undefined && certData === undefined) {
    throw refuse(userPath, 'needs a token or client-certificate-data + client-key-data');
  }
  return secretSafe({
    server: server.toString().replace(/\/$/, ''),
    caData: optionalString(cluster, 'certificate-authority-data', clusterPath),
    tlsServerName: optionalString(cluster, 'tls-server-name', clusterPath),
    token,
    certData,
    keyData,
    insecureHttp,
  });
}

/**
 * kubeconfigFromProviderCredentials builds the kubeconfig of a provider registered on
 * `providers.v1` from its `server` and its decrypted credentials, then validates it like any
 * other. The credentials are either a whole kubeconfig (an object with `clusters`), or a
 * kubeconfig `user` entry (`token` or `client-certificate-data` + `client-key-data`) optionally
 * with `certificate-authority-data` and `tls-server-name` for the cluster.
 */
export function kubeconfigFromProviderCredentials(
  server: string,
  credentials: unknown,
  options: KubeconfigOptions,
): ProviderKubeconfig {
  if (isObject(credentials) && 'clusters' in credentials) return validateKubeconfig(credentials, options);
  if (!isObject(credentials)) throw refuse('credentials', 'not an object');
  const { 'certificate-authority-data': caData, 'tls-server-name': tlsServerName, ...user } = credentials;
  const cluster: Record<string, unknown> = { server };
  if (caData !== undefined) cluster['certificate-authority-data'] = caData;
  if (tlsServerName !== undefined) cluster['tls-server-name'] = tlsServerName;
  return validateKubeconfig(
    {
      clusters: [{ name: 'provider', cluster }],
      users: [{ name: 'provider', user }],
      contexts: [{ name: 'provider', context: { cluster: 'provider', user: 'provider' } }],
      'current-context': 'provider',
    },
    options,
  );
}
