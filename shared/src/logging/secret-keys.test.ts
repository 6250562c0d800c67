import { describe, expect, it } from 'vitest';
import { isSecretKey, redactPaths, secretKeyNames } from './secret-keys.ts';

describe('isSecretKey', () => {
  it.each([
    'password',
    'PASSWORD',
    'saslPassword',
    'KAFKA_SASL_PASSWORD',
    'client-key-data',
    'clientKeyData',
    'token',
    'id-token',
    'clientSecret',
    'Authorization',
    'kubeconfig',
    'credentials',
    'x-api-key',
  ])('%s is secret', (key) => expect(isSecretKey(key)).toBe(true));
  it.each(['resumeToken', 'replicas', 'credentialsRef', 'key', 'tokenCount', 'server'])(
    '%s is not secret',
    (key) => expect(isSecretKey(key)).toBe(false),
  );
});

describe('redactPaths', () => {
  it('covers each key at the top level, with bracket syntax for dashed keys', () => {
    const paths = redactPaths();
    expect(paths).toContain('password');
    expect(paths).toContain('["client-key-data"]');
    expect(paths).toHaveLength(secretKeyNames.length);
  });
});
