export { createLogger, withKey } from './logger.ts';
export type { Logger, LoggerOptions, LogLevel } from './logger.ts';
export { censored, scrubText, scrubValue } from './scrub.ts';
export { isSecretKey, redactPaths, secretKeyNames } from './secret-keys.ts';
