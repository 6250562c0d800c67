import type { Logger } from 'pino';
import { logLevel as kafkaLogLevel, type LogEntry, type logCreator } from 'kafkajs';

const REDACTED = '[REDACTED]';

// Keys whose values are dropped whatever they hold: kafkajs never logs them today, but a future
// debug line dumping a config object must not leak them either.
const secretKeys = new Set(['password', 'sasl', 'secretAccessKey', 'sessionToken', 'key', 'cert']);

// How deep an extra field is scrubbed; kafkajs extras are flat or one level deep, and a bound
// keeps a cyclic object from looping forever.
const MAX_DEPTH = 6;

function scrubString(value: string, secrets: readonly string[]): string {
  let out = value;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return out;
}

/**
 * scrubLogValue returns a copy of a kafkajs log field that is safe to log: every occurrence of a
 * secret string is replaced by `[REDACTED]`, fields named like credentials are dropped, and binary
 * buffers (KAFKAJS_DEBUG_PROTOCOL_BUFFERS dumps raw requests, SASL frames included) are replaced by
 * their length. Errors become `{ name, message, stack }` scrubbed the same way.
 */
export function scrubLogValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.length} bytes]`;
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (value instanceof Error) {
    return {
      name: value.name,
      message: scrubString(value.message, secrets),
      stack: value.stack === undefined ? undefined : scrubString(value.stack, secrets),
    };
  }
  if (Array.isArray(value)) return value.map((item) => scrubLogValue(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [field, inner] of Object.entries(value)) {
    out[field] = secretKeys.has(field) ? REDACTED : scrubLogValue(inner, secrets, depth + 1);
  }
  return out;
}

/**
 * kafkaLogLevelFor maps a pino level name to the kafkajs level that emits the same lines, so
 * kafkajs does not build debug entries pino would drop anyway.
 */
export function kafkaLogLevelFor(pinoLevel: string): number {
  switch (pinoLevel) {
    case 'trace':
    case 'debug':
      return kafkaLogLevel.DEBUG;
    case 'info':
      return kafkaLogLevel.INFO;
    case 'warn':
      return kafkaLogLevel.WARN;
    case 'silent':
      return kafkaLogLevel.NOTHING;
    default:
      return kafkaLogLevel.ERROR;
  }
}

/**
 * pinoLogCreator routes kafkajs's log entries into a pino child logger
 * (`component: 'kafkajs'`, kafkajs namespace as `kafkaNamespace`), with every string in `secrets`
 * (SASL password, TLS key) scrubbed from messages and fields first. kafkajs's own `timestamp` and
 * `logger` fields are dropped: pino stamps its own time.
 */
export function pinoLogCreator(logger: Logger, secrets: readonly string[]): logCreator {
  const nonEmptySecrets = secrets.filter((secret) => secret.length > 0);
  const base = logger.child({ component: 'kafkajs' });
  return () => (entry: LogEntry) => {
    const { timestamp: _timestamp, logger: _logger, message, ...extra } = entry.log;
    const fields = scrubLogValue(extra, nonEmptySecrets) as Record<string, unknown>;
    const line = scrubString(String(message), nonEmptySecrets);
    const bound = { kafkaNamespace: entry.namespace, ...fields };
    switch (entry.level) {
      case kafkaLogLevel.ERROR:
        base.error(bound, line);
        break;
      case kafkaLogLevel.WARN:
        base.warn(bound, line);
        break;
      case kafkaLogLevel.INFO:
        base.info(bound, line);
        break;
      default:
        base.debug(bound, line);
    }
  };
}
