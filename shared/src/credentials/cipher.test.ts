import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DriftlineError } from '../errors/index.ts';
import { openCredentials, sealCredentials } from './cipher.ts';
import { createKeyring } from './keyring.ts';

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const canary = 'canary-token-7f3a9c';

describe('sealCredentials / openCredentials', () => {
  it('round-trips and never carries the clear text', () => {
    const keyring = createKeyring('k1', keyA);
    const sealed = sealCredentials(keyring, 'prov-1', { token: canary });
    expect(sealed.algorithm).toBe('AES-256-GCM');
    expect(sealed.keyId).toBe('k1');
    expect(JSON.stringify(sealed)).not.toContain(canary);
    expect(Buffer.from(sealed.ciphertext, 'base64').toString('utf8')).not.toContain(canary);
    expect(openCredentials(keyring, 'prov-1', sealed)).toEqual({ token: canary });
  });

  it('uses a fresh IV per seal', () => {
    const keyring = createKeyring('k1', keyA);
    const a = sealCredentials(keyring, 'p', { token: canary });
    const b = sealCredentials(keyring, 'p', { token: canary });
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('refuses an envelope moved to another provider', () => {
    const keyring = createKeyring('k1', keyA);
    const sealed = sealCredentials(keyring, 'prov-1', { token: canary });
    expect(() => openCredentials(keyring, 'prov-2', sealed)).toThrow(DriftlineError);
  });

  it('refuses a tampered ciphertext with a message free of secrets', () => {
    const keyring = createKeyring('k1', keyA);
    const sealed = sealCredentials(keyring, 'p', { token: canary });
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    try {
      openCredentials(keyring, 'p', { ...sealed, ciphertext: bytes.toString('base64') });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DriftlineError);
      expect((error as DriftlineError).code).toBe('INPUT_INVALID');
      expect((error as DriftlineError).retryable).toBe(false);
      expect(JSON.stringify({ m: (error as Error).message, c: (error as Error).cause })).not.toContain(
        canary,
      );
    }
  });

  it('opens envelopes sealed with a previous key after rotation', () => {
    const old = createKeyring('k1', keyA);
    const sealed = sealCredentials(old, 'p', { token: canary });
    const rotated = createKeyring('k2', keyB, `k1:${keyA}`);
    expect(openCredentials(rotated, 'p', sealed)).toEqual({ token: canary });
    expect(sealCredentials(rotated, 'p', {}).keyId).toBe('k2');
  });

  it('names an unknown key id', () => {
    const sealed = sealCredentials(createKeyring('k1', keyA), 'p', { token: canary });
    expect(() => openCredentials(createKeyring('k2', keyB), 'p', sealed)).toThrow(/k1/);
  });
});

describe('createKeyring', () => {
  it('rejects a key that is not 32 bytes without echoing it', () => {
    const short = Buffer.from('too-short-secret').toString('base64');
    expect(() => createKeyring('k1', short)).toThrow(DriftlineError);
    try {
      createKeyring('k1', short);
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
  });

  it('never serialises key bytes', () => {
    const keyring = createKeyring('k1', keyA, `k0:${keyB}`);
    expect(JSON.stringify(keyring)).not.toContain(keyA);
    expect(JSON.stringify(keyring)).not.toContain(keyB);
    expect(keyring.keyIds()).toEqual(['k1', 'k0']);
  });

  it('rejects duplicate ids and malformed previous keys', () => {
    expect(() => createKeyring('k1', keyA, `k1:${keyB}`)).toThrow(/twice/);
    expect(() => createKeyring('k1', keyA, 'nocolon')).toThrow(DriftlineError);
  });
});
