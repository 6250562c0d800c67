import { DriftlineError } from '../errors/index.ts';

/** CREDENTIALS_KEY_BYTES is the AES-256 key length: 32 bytes. */
export const CREDENTIALS_KEY_BYTES = 32;

/**
 * CredentialsKeyring holds the AES-256 keys credentials are sealed with, by key id. `currentKeyId`
 * names the key new envelopes use; older keys stay so envelopes sealed before a rotation still
 * open. Key bytes never appear in `toJSON` or `inspect` output.
 */
export interface CredentialsKeyring {
  readonly currentKeyId: string;
  key(keyId: string): Buffer | undefined;
  keyIds(): readonly string[];
}

const keyIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

function decodeKey(keyId: string, base64: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== CREDENTIALS_KEY_BYTES || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64.trim())) {
    // Never echo the value: it is (nearly) a key.
    throw new DriftlineError(
      'CONFIG_INVALID',
      `credentials key "${keyId}" must be ${CREDENTIALS_KEY_BYTES} bytes, base64`,
      {
        details: { keyId },
      },
    );
  }
  return key;
}

/**
 * createKeyring builds a keyring from the current key (id + base64 of 32 bytes) and, optionally,
 * previous keys written as `id:base64,id:base64`. It throws a CONFIG_INVALID DriftlineError
 * (naming the key id, never the key) on a malformed id or key, or a duplicate id.
 */
export function createKeyring(
  currentKeyId: string,
  currentKeyBase64: string,
  previousKeys = '',
): CredentialsKeyring {
  const keys = new Map<string, Buffer>();
  const add = (keyId: string, base64: string): void => {
    if (!keyIdPattern.test(keyId)) {
      throw new DriftlineError(
        'CONFIG_INVALID',
        `credentials key id "${keyId}" must match ${keyIdPattern.source}`,
      );
    }
    if (keys.has(keyId))
      throw new DriftlineError('CONFIG_INVALID', `credentials key id "${keyId}" appears twice`);
    keys.set(keyId, decodeKey(keyId, base64));
  };
  add(currentKeyId, currentKeyBase64);
  for (const entry of previousKeys
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')) {
    const colon = entry.indexOf(':');
    if (colon <= 0)
      throw new DriftlineError(
        'CONFIG_INVALID',
        'previous credentials keys must be written id:base64,id:base64',
      );
    add(entry.slice(0, colon), entry.slice(colon + 1));
  }
  const keyring: CredentialsKeyring = {
    currentKeyId,
    key: (keyId) => keys.get(keyId),
    keyIds: () => [...keys.keys()],
  };
  Object.defineProperty(keyring, 'toJSON', { value: () => ({ currentKeyId, keyIds: [...keys.keys()] }) });
  Object.defineProperty(keyring, Symbol.for('nodejs.util.inspect.custom'), {
    value: () => `CredentialsKeyring(${[...keys.keys()].join(', ')})`,
  });
  return keyring;
}
