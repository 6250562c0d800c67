export { CREDENTIALS_KEY_BYTES, createKeyring } from './keyring.ts';
export type { CredentialsKeyring } from './keyring.ts';
export { credentialsAad, openCredentials, sealCredentials } from './cipher.ts';
export type { SealedCredentials } from './cipher.ts';
