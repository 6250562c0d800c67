import path from 'node:path';

/** ComponentName names the three parts of the local stack, in start order. */
export type ComponentName = 'kafka' | 'mongo' | 'schema-registry';

/** COMPONENT_NAMES lists every component in the order `up` starts them. */
export const COMPONENT_NAMES: readonly ComponentName[] = ['kafka', 'mongo', 'schema-registry'] as const;

/**
 * StackConfig is the whole local stack's configuration, resolved once from the environment.
 * A component with `external: true` is provided elsewhere (its URL variable was set) and is never
 * started, stopped or probed for ownership by the stack.
 */
export interface StackConfig {
  /** Repository root (the folder holding package.json and stack/). */
  readonly repoDir: string;
  /** Git-ignored state folder: jars, Kafka log dirs, registry data, pid files, logs. */
  readonly stackDir: string;
  /** Java executable: `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` from PATH. */
  readonly javaBin: string;
  readonly kafka: {
    readonly external: boolean;
    readonly port: number;
    readonly controllerPort: number;
    readonly heapMb: number;
    readonly brokers: readonly string[];
  };
  readonly mongo: {
    readonly external: boolean;
    readonly port: number;
    readonly heapMb: number;
    /** Oplog cap in entries (0 = unbounded); resuming from a truncated position fails with 286. */
    readonly oplogMaxEntries: number;
    readonly url: string;
  };
  readonly schemaRegistry: {
    readonly external: boolean;
    readonly port: number;
    readonly url: string;
  };
}

/** StackEnv is the subset of process.env the stack reads (see docs/local-stack.md). */
export type StackEnv = Readonly<Record<string, string | undefined>>;

/**
 * StackConfigError names the variable that holds a bad value and what was expected, so a typo fails
 * fast instead of starting a broker on a surprising port.
 */
export class StackConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, expected: string, actual: string) {
    super(`${variable}=${JSON.stringify(actual)} is invalid: expected ${expected}`);
    this.name = 'StackConfigError';
    this.variable = variable;
  }
}

/**
 * parsePort reads a TCP port from `env[name]`, or returns `fallback` when unset or empty.
 * Throws StackConfigError unless the value is a decimal integer in 1..65535.
 */
export function parsePort(env: StackEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,5}$/.test(raw)) throw new StackConfigError(name, 'a TCP port (1..65535)', raw);
  const port = Number(raw);
  if (port < 1 || port > 65535) throw new StackConfigError(name, 'a TCP port (1..65535)', raw);
  return port;
}

/**
 * parseBrokers splits a comma-separated `host:port` list (KAFKA_BROKERS); returns null when unset.
 * Throws StackConfigError on an empty entry or an entry without a valid port.
 */
export function parseBrokers(env: StackEnv, name: string): string[] | null {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return null;
  const brokers = raw.split(',').map((entry) => entry.trim());
  for (const broker of brokers) {
    const match = /^(.+):(\d{1,5})$/.exec(broker);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) {
      throw new StackConfigError(name, 'a comma-separated list of host:port', raw);
    }
  }
  return brokers;
}

function parseUrl(env: StackEnv, name: string, protocols: readonly string[]): string | null {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StackConfigError(name, `a URL (${protocols.join(' or ')})`, raw);
  }
  if (!protocols.includes(url.protocol)) {
    throw new StackConfigError(name, `a URL (${protocols.join(' or ')})`, raw);
  }
  return raw.replace(/\/+$/, '');
}

function parseCount(env: StackEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw new StackConfigError(name, 'a whole number >= 0', raw);
  return Number(raw);
}

function parseHeapMb(env: StackEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 64) {
    throw new StackConfigError(name, 'a heap size in MiB (>= 64)', raw);
  }
  return Number(raw);
}

/**
 * loadStackConfig resolves the stack's configuration from `env` (pure: no I/O).
 *
 * Ports default to the conventional ones (Kafka 9092 + controller 9093, schema registry 8081,
 * MongoDB 27017). KAFKA_BROKERS, MONGO_URL and SCHEMA_REGISTRY_URL point at an existing service
 * instead, which the stack then leaves alone. DRIFTLINE_STACK_DIR moves the state folder.
 * Throws StackConfigError naming the first invalid variable.
 */
export function loadStackConfig(env: StackEnv, repoDir: string): StackConfig {
  const stackDir = path.resolve(repoDir, env['DRIFTLINE_STACK_DIR']?.trim() || '.stack');
  const kafkaPort = parsePort(env, 'KAFKA_PORT', 9092);
  const controllerPort = parsePort(env, 'KAFKA_CONTROLLER_PORT', 9093);
  if (controllerPort === kafkaPort) {
    throw new StackConfigError(
      'KAFKA_CONTROLLER_PORT',
      `a port other than KAFKA_PORT (${kafkaPort})`,
      String(controllerPort),
    );
  }
  const mongoPort = parsePort(env, 'MONGO_PORT', 27017);
  const registryPort = parsePort(env, 'SCHEMA_REGISTRY_PORT', 8081);
  const brokers = parseBrokers(env, 'KAFKA_BROKERS');
  const mongoUrl = parseUrl(env, 'MONGO_URL', ['mongodb:', 'mongodb+srv:']);
  const registryUrl = parseUrl(env, 'SCHEMA_REGISTRY_URL', ['http:', 'https:']);

  const javaHome = env['JAVA_HOME']?.trim();
  return Object.freeze({
    repoDir,
    stackDir,
    javaBin: javaHome ? path.join(javaHome, 'bin', 'java') : 'java',
    kafka: Object.freeze({
      external: brokers !== null,
      port: kafkaPort,
      controllerPort,
      heapMb: parseHeapMb(env, 'KAFKA_HEAP_MB', 512),
      brokers: Object.freeze(brokers ?? [`127.0.0.1:${kafkaPort}`]),
    }),
    mongo: Object.freeze({
      external: mongoUrl !== null,
      port: mongoPort,
      heapMb: parseHeapMb(env, 'MONGO_HEAP_MB', 2048),
      oplogMaxEntries: parseCount(env, 'MONGO_OPLOG_MAX_ENTRIES', 100_000),
      url: mongoUrl ?? `mongodb://127.0.0.1:${mongoPort}/?directConnection=true`,
    }),
    schemaRegistry: Object.freeze({
      external: registryUrl !== null,
      port: registryPort,
      url: registryUrl ?? `http://127.0.0.1:${registryPort}`,
    }),
  });
}
