import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DriftlineError } from '../errors/index.ts';
import type { CredentialsKeyring } from './keyring.ts';

/**
 * SealedCredentials is the AES-256-GCM envelope published in `ProviderRecord.credentials`
 * (structurally the `EncryptedCredentials` of `@driftline/schemas`): `iv` (12 bytes), `tag`
 * (16 bytes) and `ciphertext` are base64; `keyId` names the key in the watcher's keyring.
 */
export interface SealedCredentials {
  readonly algorithm: 'AES-256-GCM';
  readonly keyId: string;
  readonly iv: string;
  readonly tag: string;
  readonly ciphertext: string;
}

// 96-bit IVs are GCM's native size; random IVs are safe for far more than 2^32 seals per key.
const ivBytes = 12;
const tagBytes = 16;

/**
 * credentialsAad is the additional authenticated data an envelope is bound to: the provider id
 * and key id. An envelope copied onto another provider's record fails to open, so a compromised
 * topic writer cannot hand provider A's credentials to provider B's watcher.
 */
export function credentialsAad(providerId: string, keyId: string): Buffer {
  return Buffer.from(`driftline.provider-credentials.v1\u0000${providerId}\u0000${keyId}`, 'utf8');
}

/**
 * sealCredentials encrypts a JSON-serialisable credentials object for one provider with the
 * keyring's current key (AES-256-GCM, random IV, AAD = provider id + key id). The clear text
 * exists only inside this call.
 */
export function sealCredentials(
  keyring: CredentialsKeyring,
  providerId: string,
  credentials: unknown,
): SealedCredentials {
  const keyId = keyring.currentKeyId;
  const key = keyring.key(keyId);
  if (key === undefined)
    throw new DriftlineError('CONFIG_INVALID', `credentials key "${keyId}" is not in the keyring`);
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(credentialsAad(providerId, keyId));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
  return {
    algorithm: 'AES-256-GCM',
    keyId,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

/**
 * openCredentials decrypts an envelope sealed for `providerId` and returns the parsed JSON. It
 * throws a non-retryable INPUT_INVALID DriftlineError (dead-letter, not crash) when the key id is
 * unknown, the algorithm is not AES-256-GCM, or authentication fails (tampered envelope, wrong
 * key, or an envelope sealed for another provider). The message never contains key or clear text.
 */
export function openCredentials(
  keyring: CredentialsKeyring,
  providerId: string,
  sealed: SealedCredentials,
): unknown {
  if (sealed.algorithm !== 'AES-256-GCM') {
    throw new DriftlineError(
      'INPUT_INVALID',
      `credentials algorithm ${String(sealed.algorithm)} is not supported`,
    );
  }
  const key = keyring.key(sealed.keyId);
  if (key === undefined) {
    throw new DriftlineError('INPUT_INVALID', `credentials key "${sealed.keyId}" is not in the keyring`, {
      details: { provider: providerId, keyId: sealed.keyId },
    });
  }
  try {
    const iv = Buffer.from(sealed.iv, 'base64');
    const tag = Buffer.from(sealed.tag, 'base64');
    if (iv.length !== ivBytes || tag.length !== tagBytes) throw new Error('bad iv or tag length');
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
    decipher.setAAD(credentialsAad(providerId, sealed.keyId));
    decipher.setAuthTag(tag);
    const clear = Buffer.concat([
      decipher.update(Buffer.from(sealed.ciphertext, 'base64')),
      decipher.final(),
    ]);
    return JSON.parse(clear.toString('utf8')) as unknown;
  } catch {
    // No `cause`: a JSON.parse error quotes the clear text it choked on.
    throw new DriftlineError(
      'INPUT_INVALID',
      'credentials envelope failed authentication (tampered, wrong key or wrong provider)',
      {
        details: { provider: providerId, keyId: sealed.keyId },
      },
    );
  }
}
