import { inspect } from 'node:util';
import { Writable } from 'node:stream';
import { DriftlineError } from '@driftline/shared/errors';
import { createLogger } from '@driftline/shared/logging';
import { describe, expect, it } from 'vitest';
import { kubeconfigFromProviderCredentials, validateKubeconfig } from './kubeconfig.ts';

const canary = 'canary-token-7f3a9c1e5b';

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://p1.example:6443', ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'ctx',
  });
}

function refusal(run: () => unknown): DriftlineError {
  try {
    run();
  } catch (error) {
    if (error instanceof DriftlineError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const secure = { allowInsecureHttp: false };

describe('validateKubeconfig', () => {
  it('accepts an inline token with an https server and CA data', () => {
    const yaml = [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: c',
      '  cluster:',
      '    server: https://p1.example:6443',
      '    certificate-authority-data: Q0E=',
      'users:',
      '- name: u',
      '  user:',
      `    token: ${canary}`,
      'contexts:',
      '- name: ctx',
      '  context: { cluster: c, user: u }',
      'current-context: ctx',
    ].join('\n');
    const config = validateKubeconfig(yaml, secure);
    expect(config).toMatchObject({ server: 'https://p1.example:6443', caData: 'Q0E=', insecureHttp: false });
    expect(config.token).toBe(canary);
  });

  it('accepts inline client certificate and key data', () => {
    const config = validateKubeconfig(
      kubeconfig({ 'client-certificate-data': 'Y2VydA==', 'client-key-data': 'a2V5' }),
      secure,
    );
    expect(config.certData).toBe('Y2VydA==');
    expect(config.keyData).toBe('a2V5');
  });

  it.each([
    [{ exec: { command: 'aws' } }, {}, 'users[0].user.exec'],
    [{ 'auth-provider': { name: 'gcp' } }, {}, 'users[0].user.auth-provider'],
    [{ tokenFile: '/var/run/token' }, {}, 'users[0].user.tokenFile'],
    [
      { 'client-certificate': '/etc/c.crt', 'client-key': '/etc/c.key' },
      {},
      'users[0].user.client-certificate',
    ],
    [
      { token: canary },
      { 'certificate-authority': '/etc/ca.crt' },
      'clusters[0].cluster.certificate-authority',
    ],
    [{ username: 'admin', password: canary }, {}, 'users[0].user.username'],
    [{ token: canary }, { 'insecure-skip-tls-verify': true }, 'clusters[0].cluster.insecure-skip-tls-verify'],
    [{ token: canary, surprise: 1 }, {}, 'users[0].user.surprise'],
    [{ 'client-certificate-data': 'Y2VydA==' }, {}, 'users[0].user'],
    [{}, {}, 'users[0].user'],
    [{ token: canary }, { server: 'ftp://x' }, 'clusters[0].cluster.server'],
    [{ token: canary }, { server: `https://admin:${canary}@x` }, 'clusters[0].cluster.server'],
  ])('refuses %j / %j naming %s, without echoing any value', (user, cluster, field) => {
    const error = refusal(() => validateKubeconfig(kubeconfig(user, cluster), secure));
    expect(error.code).toBe('KUBECONFIG_REFUSED');
    expect(error.retryable).toBe(false);
    expect(error.details?.['field']).toBe(field);
    expect(error.message).toContain(field);
    expect(error.message).not.toContain(canary);
  });

  it('allows plain http only with the explicit opt-in', () => {
    const text = kubeconfig({ token: canary }, { server: 'http://127.0.0.1:8080' });
    expect(refusal(() => validateKubeconfig(text, secure)).message).toContain('allowInsecureHttp');
    expect(validateKubeconfig(text, { allowInsecureHttp: true }).insecureHttp).toBe(true);
  });

  it('refuses text that is not YAML, and an oversized document', () => {
    expect(refusal(() => validateKubeconfig('clusters: [unclosed', secure)).code).toBe('KUBECONFIG_REFUSED');
    expect(refusal(() => validateKubeconfig('x'.repeat(1024 * 1024 + 1), secure)).code).toBe(
      'KUBECONFIG_REFUSED',
    );
  });

  it('never lets the token reach a log line, JSON or inspect output (canary)', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger({ service: 'watcher-test', level: 'debug', destination });
    const config = validateKubeconfig(kubeconfig({ token: canary }), secure);
    logger.info({ kubeconfig: config, provider: 'p1' }, 'provider configured');
    logger.info({ config: { ...config } }, 'spread');
    const error = refusal(() =>
      validateKubeconfig(kubeconfig({ token: canary, exec: { command: 'x' } }), secure),
    );
    logger.warn({ err: error }, 'refused');
    expect(lines.length).toBe(3);
    for (const line of lines) {
      JSON.parse(line);
      expect(line).not.toContain(canary);
    }
    expect(JSON.stringify(config)).not.toContain(canary);
    expect(inspect(config)).not.toContain(canary);
  });
});

describe('kubeconfigFromProviderCredentials', () => {
  it('combines the registered server with decrypted user credentials', () => {
    const config = kubeconfigFromProviderCredentials(
      'https://p2.example',
      { token: canary, 'certificate-authority-data': 'Q0E=' },
      secure,
    );
    expect(config).toMatchObject({ server: 'https://p2.example', caData: 'Q0E=' });
    expect(config.token).toBe(canary);
  });

  it('refuses plugin credentials the same way', () => {
    const error = refusal(() => kubeconfigFromProviderCredentials('https://p2', { exec: {} }, secure));
    expect(error.details?.['field']).toBe('users[0].user.exec');
  });
});
