export {
  MAX_PROVIDER_ID_LENGTH,
  formatKey,
  parseKey,
  providerOfKey,
  safeParseKey,
  validateKeyPart,
} from './database-key.ts';
export type { DatabaseKey, KeyPart, SafeParseKeyResult } from './database-key.ts';
