import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger as PinoLogger, type LevelWithSilent } from 'pino';
import { censored, scrubText, scrubValue } from './scrub.ts';
import { redactPaths } from './secret-keys.ts';

/** Logger is a pino logger whose every line has passed through driftline's redaction. */
export type Logger = PinoLogger;

/** LogLevel is a pino level name, `silent` included. */
export type LogLevel = LevelWithSilent;

/** LoggerOptions configures `createLogger`. */
export interface LoggerOptions {
  /** Service name, on every line as `service`. */
  readonly service: string;
  readonly level: LogLevel;
  /** Where lines go; stdout (pino's default, synchronous-safe) when omitted. Tests pass a stream. */
  readonly destination?: DestinationStream;
}

function scrubArguments(args: unknown[]): unknown[] {
  if (args.length === 0) return args;
  const [first, ...rest] = args;
  // pino would take an Error's raw message as `msg`: hand it a scrubbed one instead.
  if (first instanceof Error) {
    const message = typeof rest[0] === 'string' ? rest.shift() : first.message;
    return [{ err: scrubValue(first) }, scrubText(String(message)), ...rest.map(scrubValue)];
  }
  return [scrubValue(first), ...rest.map(scrubValue)];
}

/**
 * createLogger builds the service's root logger: pino JSON lines with `level` as a label, an ISO
 * `time`, `service`, pid and hostname. Redaction is two layers declared once in `secret-keys.ts`:
 * pino redact paths for secret keys, and a scrubber over every argument, binding and error
 * (message, stack, cause) that censors secret keys at any depth and credentials inside strings
 * (connection strings, bearer tokens, PEM blocks). Add context with `logger.child({ component,
 * provider })` and `withKey`, never by string prefixes.
 */
export function createLogger(options: LoggerOptions): Logger {
  const root = pino(
    {
      level: options.level,
      base: { service: options.service, pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Errors are already serialized (and scrubbed) by the logMethod hook; pino's own err
      // serializer would re-read them as plain objects and lose their type.
      serializers: { err: (value: unknown) => value },
      redact: { paths: redactPaths(), censor: censored },
      formatters: {
        level: (label) => ({ level: label }),
        // Applies to the root's base bindings only: pino resets it for children (see below).
        bindings: (bindings) => scrubValue(bindings) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = scrubArguments(args) as Parameters<typeof method>;
          method.apply(this, scrubbed);
        },
      },
    },
    options.destination,
  );
  // pino drops the bindings formatter for child loggers, so scrub child bindings here. Children
  // are created with Object.create(parent), so every descendant inherits this `child`.
  const pinoChild = root.child;
  root.child = function child(this: Logger, bindings, childOptions) {
    return pinoChild.call(this, scrubValue(bindings) as typeof bindings, childOptions);
  } as typeof root.child;
  return root;
}

/**
 * withKey returns a child logger carrying the database key and the correlation id, as every
 * line about one database must.
 */
export function withKey(logger: Logger, key: string, correlationId: string): Logger {
  return logger.child({ key, correlationId });
}
