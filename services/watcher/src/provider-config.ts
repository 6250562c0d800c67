import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ProviderRecord } from '@driftline/schemas';
import { openCredentials, type CredentialsKeyring } from '@driftline/shared/credentials';
import { DriftlineError } from '@driftline/shared/errors';
import { validateKeyPart } from '@driftline/shared/keys';
import { parse } from 'yaml';
import { kubeDbKind } from './kinds.ts';
import {
  kubeconfigFromProviderCredentials,
  validateKubeconfig,
  type ProviderKubeconfig,
} from './kubeconfig.ts';
import type { ProviderConfig } from './watcher.ts';

/** defaultKinds are watched when a provider names none: the four KubeDB kinds driftline compares. */
export const defaultKinds: readonly string[] = ['MongoDB', 'Postgres', 'MySQL', 'Redis'];

function revisionOf(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

function checkedKinds(providerId: string, kinds: readonly string[]): string[] {
  const chosen = kinds.length === 0 ? defaultKinds : kinds;
  return chosen.map((k) => {
    const kind = kubeDbKind(k).kind;
    try {
      return validateKeyPart('kind', kind);
    } catch (error) {
      throw new DriftlineError(
        'INPUT_INVALID',
        `provider ${providerId}: kind ${JSON.stringify(k)} is not a KubeDB kind`,
        {
          cause: error,
          details: { provider: providerId },
        },
      );
    }
  });
}

function build(
  id: string,
  kinds: readonly string[],
  namespaces: readonly string[],
  kubeconfig: ProviderKubeconfig,
  secretMaterial: unknown,
): ProviderConfig {
  validateKeyPart('provider', id);
  const checked = checkedKinds(id, kinds);
  for (const namespace of namespaces) validateKeyPart('namespace', namespace);
  return {
    id,
    kinds: checked,
    namespaces: [...namespaces],
    kubeconfig,
    // Hash of everything that needs a restart; the credentials enter only through the hash.
    revision: revisionOf([kubeconfig.server, checked, namespaces, kubeconfig.insecureHttp, secretMaterial]),
  };
}

/**
 * providerConfigFromRecord turns a `providers.v1` record into what the watcher watches: it opens
 * the sealed credentials with the watcher's keyring (AAD-bound to the provider id), builds and
 * validates the kubeconfig, and checks the id, kinds and namespaces as key parts. Throws
 * `KUBECONFIG_REFUSED` for refused credentials or endpoints, `INPUT_INVALID` for a record the
 * watcher cannot use (no inline credentials, a key id it does not hold, an unknown kind).
 */
export function providerConfigFromRecord(
  record: ProviderRecord,
  keyring: CredentialsKeyring,
): ProviderConfig {
  if (record.credentials === null) {
    throw new DriftlineError(
      'INPUT_INVALID',
      `provider ${record.id}: no inline credentials (credentialsRef is not supported by the watcher)`,
      { details: { provider: record.id } },
    );
  }
  const credentials = openCredentials(keyring, record.id, record.credentials);
  const kubeconfig = kubeconfigFromProviderCredentials(record.server, credentials, {
    allowInsecureHttp: record.allowInsecureHttp,
  });
  return build(record.id, record.kinds, record.namespaces, kubeconfig, record.credentials.ciphertext);
}

/** StaticProviderEntry is one provider of `WATCHER_PROVIDERS_FILE`. */
interface StaticProviderEntry {
  readonly id: string;
  readonly kinds?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly allowInsecureHttp?: boolean;
  /** The kubeconfig itself (YAML or JSON text). */
  readonly kubeconfig?: string;
  /** Or a kubeconfig file, relative to the providers file. */
  readonly kubeconfigFile?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new DriftlineError('CONFIG_INVALID', `providers file: ${what} must be a list of strings`);
  }
  return value as string[];
}

/**
 * loadProvidersFile reads the static provider list (YAML or JSON:
 * `providers: [{ id, kinds?, namespaces?, allowInsecureHttp?, kubeconfig | kubeconfigFile }]`)
 * for a platform with a handful of clusters, where one watcher instance watches them all. The
 * file is operator configuration, but each kubeconfig in it is validated like any other (no
 * exec, no file references inside it). Throws `CONFIG_INVALID` or `KUBECONFIG_REFUSED`.
 */
export async function loadProvidersFile(path: string): Promise<ProviderConfig[]> {
  const document: unknown = parse(await readFile(path, 'utf8'));
  const entries = isObject(document) ? document['providers'] : undefined;
  if (!Array.isArray(entries))
    throw new DriftlineError('CONFIG_INVALID', 'providers file: needs a `providers` list');
  const configs: ProviderConfig[] = [];
  for (const raw of entries as unknown[]) {
    if (!isObject(raw) || typeof raw['id'] !== 'string') {
      throw new DriftlineError('CONFIG_INVALID', 'providers file: every provider needs a string `id`');
    }
    const entry = raw as unknown as StaticProviderEntry;
    let text = entry.kubeconfig;
    if (text === undefined && typeof entry.kubeconfigFile === 'string') {
      text = await readFile(resolve(dirname(path), entry.kubeconfigFile), 'utf8');
    }
    if (typeof text !== 'string') {
      throw new DriftlineError(
        'CONFIG_INVALID',
        `providers file: provider ${entry.id} needs kubeconfig or kubeconfigFile`,
      );
    }
    const kubeconfig = validateKubeconfig(text, { allowInsecureHttp: entry.allowInsecureHttp === true });
    configs.push(
      build(
        entry.id,
        stringList(raw['kinds'], 'kinds'),
        stringList(raw['namespaces'], 'namespaces'),
        kubeconfig,
        text,
      ),
    );
  }
  return configs;
}
