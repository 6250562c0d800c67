import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ProviderRecord } from '@driftline/schemas';
import { createKeyring, sealCredentials } from '@driftline/shared/credentials';
import { DriftlineError } from '@driftline/shared/errors';
import { describe, expect, it } from 'vitest';
import { loadProvidersFile, providerConfigFromRecord } from './provider-config.ts';

const keyring = createKeyring('k1', randomBytes(32).toString('base64'));

function record(overrides: Partial<ProviderRecord> = {}): ProviderRecord {
  return {
    id: 'p1',
    displayName: null,
    server: 'https://p1.example',
    kinds: [],
    namespaces: [],
    allowInsecureHttp: false,
    credentialsRef: null,
    credentials: sealCredentials(keyring, 'p1', { token: 'secret-token' }),
    generation: 1,
    sourceTimestampMs: 1,
    ...overrides,
  };
}

const kubeconfigText = (server: string) =>
  JSON.stringify({
    clusters: [{ name: 'c', cluster: { server } }],
    users: [{ name: 'u', user: { token: 't' } }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });

describe('providerConfigFromRecord', () => {
  it('opens the sealed credentials and defaults to the four KubeDB kinds', () => {
    const config = providerConfigFromRecord(record(), keyring);
    expect(config).toMatchObject({
      id: 'p1',
      kinds: ['MongoDB', 'Postgres', 'MySQL', 'Redis'],
      namespaces: [],
    });
    expect(config.kubeconfig.token).toBe('secret-token');
  });

  it('changes revision when credentials or kinds change, not otherwise', () => {
    const a = providerConfigFromRecord(record(), keyring);
    expect(providerConfigFromRecord(record({ generation: 2 }), keyring).revision).not.toBe(a.revision); // re-sealed: new ciphertext
    const same = record();
    expect(providerConfigFromRecord(same, keyring).revision).toBe(
      providerConfigFromRecord(same, keyring).revision,
    );
    expect(providerConfigFromRecord({ ...same, kinds: ['MongoDB'] }, keyring).revision).not.toBe(
      providerConfigFromRecord(same, keyring).revision,
    );
  });

  it('refuses a record without inline credentials, with credentials sealed for another provider, or an unknown kind', () => {
    const codes = (r: ProviderRecord): string => {
      try {
        providerConfigFromRecord(r, keyring);
        return 'accepted';
      } catch (error) {
        return error instanceof DriftlineError ? error.code : 'other';
      }
    };
    expect(codes(record({ credentials: null, credentialsRef: 'vault:x' }))).toBe('INPUT_INVALID');
    expect(codes(record({ id: 'p2' }))).toBe('INPUT_INVALID');
    expect(codes(record({ kinds: ['not a kind'] }))).toBe('INPUT_INVALID');
    expect(codes(record({ server: 'http://p1.example' }))).toBe('KUBECONFIG_REFUSED');
  });
});

describe('loadProvidersFile', () => {
  it('reads inline and file-referenced kubeconfigs, validating each', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'watcher-providers-'));
    await writeFile(join(dir, 'p2.kubeconfig'), kubeconfigText('http://127.0.0.1:1'));
    const file = join(dir, 'providers.yaml');
    await writeFile(
      file,
      [
        'providers:',
        '  - id: p1',
        '    kinds: [MongoDB]',
        `    kubeconfig: '${kubeconfigText('https://p1.example')}'`,
        '  - id: p2',
        '    allowInsecureHttp: true',
        '    kubeconfigFile: p2.kubeconfig',
      ].join('\n'),
    );
    const configs = await loadProvidersFile(file);
    expect(configs.map((c) => [c.id, c.kinds.length, c.kubeconfig.server])).toEqual([
      ['p1', 1, 'https://p1.example'],
      ['p2', 4, 'http://127.0.0.1:1'],
    ]);
  });

  it('refuses an http provider without its opt-in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'watcher-providers-'));
    const file = join(dir, 'providers.json');
    await writeFile(
      file,
      JSON.stringify({ providers: [{ id: 'p', kubeconfig: kubeconfigText('http://x') }] }),
    );
    await expect(loadProvidersFile(file)).rejects.toMatchObject({ code: 'KUBECONFIG_REFUSED' });
  });
});
