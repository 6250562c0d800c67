import type { ConfigCheck } from './define-config.ts';
import { secret, variable } from './variable.ts';

// Shape fragments: the variables every service that talks to the same system declares the
// same way. Spread them into `defineConfig({ ...kafkaConfigShape, ...own })`.

/** kafkaConfigShape is how a service reaches Kafka: brokers, client id, SASL and TLS. */
export const kafkaConfigShape = {
  KAFKA_BROKERS: variable
    .list()
    .default(['127.0.0.1:9092'])
    .describe('Comma-separated host:port list of Kafka bootstrap brokers.'),
  KAFKA_CLIENT_ID: variable
    .string()
    .min(1)
    .default('driftline')
    .describe('Kafka client id, shown in broker logs and quotas.'),
  KAFKA_SASL_MECHANISM: variable
    .oneOf(['none', 'plain', 'scram-sha-256', 'scram-sha-512'])
    .default('none')
    .describe('SASL mechanism for broker authentication; `none` disables SASL.'),
  KAFKA_SASL_USERNAME: variable
    .string()
    .default('')
    .describe('SASL username (when KAFKA_SASL_MECHANISM is not `none`).'),
  KAFKA_SASL_PASSWORD: secret(
    variable.string().default('').describe('SASL password (when KAFKA_SASL_MECHANISM is not `none`).'),
  ),
  KAFKA_TLS_ENABLED: variable.boolean().default(false).describe('Connect to the brokers over TLS.'),
  KAFKA_TLS_CA_FILE: variable
    .string()
    .default('')
    .describe("PEM file of the CA that signed the brokers' certificates; empty uses the system CAs."),
} as const;

/** schemaRegistryConfigShape is how a service reaches the Confluent-compatible schema registry. */
export const schemaRegistryConfigShape = {
  SCHEMA_REGISTRY_URL: variable
    .url()
    .default('http://127.0.0.1:8081')
    .describe('Base URL of the schema registry (Confluent REST API).'),
  SCHEMA_REGISTRY_USERNAME: variable
    .string()
    .default('')
    .describe('Basic-auth username for the schema registry; empty for none.'),
  SCHEMA_REGISTRY_PASSWORD: secret(
    variable.string().default('').describe('Basic-auth password for the schema registry.'),
  ),
} as const;

/** mongoConfigShape is how a service reaches the platform's MongoDB replica set. */
export const mongoConfigShape = {
  MONGO_URL: variable
    .url()
    .default('mongodb://127.0.0.1:27017/?replicaSet=rs0')
    .describe(
      'MongoDB connection string (a replica set: change streams need one). Credentials in it are masked in logs.',
    ),
  MONGO_DATABASE: variable
    .string()
    .min(1)
    .default('driftline')
    .describe('Database holding the databases, providers and operations collections.'),
} as const;

/** loggingConfigShape sets the log level. */
export const loggingConfigShape = {
  LOG_LEVEL: variable
    .oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Minimum level of the JSON log lines written to stdout.'),
} as const;

/**
 * opsServerConfigShape is where the service's /metrics, /healthz and /readyz server listens;
 * each service passes its own default port so they can all run on one machine.
 */
export function opsServerConfigShape(defaultPort: number) {
  return {
    HTTP_PORT: variable
      .integer({ min: 0, max: 65_535 })
      .default(defaultPort)
      .describe('Port of the /metrics, /healthz and /readyz server.'),
    HTTP_HOST: variable
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('Address the ops server binds; 0.0.0.0 only inside a container.'),
  } as const;
}

/** topicsConfigShape names the topics of the event contracts (defaults are the contract's names). */
export const topicsConfigShape = {
  TOPIC_PROVIDERS: variable
    .string()
    .min(1)
    .default('driftline.providers.v1')
    .describe('Compacted topic of provider records, keyed by provider id.'),
  TOPIC_PROVIDER_HEALTH: variable
    .string()
    .min(1)
    .default('driftline.provider-health.v1')
    .describe('Compacted topic of watcher health per provider, keyed by provider id.'),
  TOPIC_DESIRED: variable
    .string()
    .min(1)
    .default('driftline.desired.v1')
    .describe('Compacted topic of desired database state, keyed by database key.'),
  TOPIC_OBSERVED: variable
    .string()
    .min(1)
    .default('driftline.observed.v1')
    .describe('Compacted topic of observed database state, keyed by database key.'),
  TOPIC_DRIFT: variable
    .string()
    .min(1)
    .default('driftline.drift.v1')
    .describe('Topic of drift events (public contract), keyed by database key.'),
  TOPIC_OPERATIONS: variable
    .string()
    .min(1)
    .default('driftline.operations.v1')
    .describe('Topic of remediation operations, keyed by database key.'),
  TOPIC_DEADLETTER: variable
    .string()
    .min(1)
    .default('driftline.deadletter.v1')
    .describe('Topic of records that can never be processed, with the reason.'),
} as const;

/**
 * fragmentChecks are the cross-variable rules of the fragments above; `defineConfig` applies
 * each one whose variables a schema declares.
 */
export const fragmentChecks: readonly ConfigCheck[] = [
  {
    variables: ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'],
    check: (config) => {
      if (config['KAFKA_SASL_MECHANISM'] === 'none') return undefined;
      if (config['KAFKA_SASL_USERNAME'] === '') {
        return {
          variable: 'KAFKA_SASL_USERNAME',
          message: `required when KAFKA_SASL_MECHANISM is ${String(config['KAFKA_SASL_MECHANISM'])}`,
        };
      }
      if (config['KAFKA_SASL_PASSWORD'] === '') {
        return {
          variable: 'KAFKA_SASL_PASSWORD',
          message: `required when KAFKA_SASL_MECHANISM is ${String(config['KAFKA_SASL_MECHANISM'])}`,
        };
      }
      return undefined;
    },
  },
  {
    variables: ['SCHEMA_REGISTRY_USERNAME', 'SCHEMA_REGISTRY_PASSWORD'],
    check: (config) =>
      config['SCHEMA_REGISTRY_USERNAME'] === '' && config['SCHEMA_REGISTRY_PASSWORD'] !== ''
        ? { variable: 'SCHEMA_REGISTRY_USERNAME', message: 'required when SCHEMA_REGISTRY_PASSWORD is set' }
        : undefined,
  },
];
