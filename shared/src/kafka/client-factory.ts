import type { ConnectionOptions } from 'node:tls';
import type { Logger } from 'pino';
import { Kafka, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { DriftlineError } from '@driftline/shared/errors';
import { kafkaLogLevelFor, pinoLogCreator } from './log-creator.ts';

/** KafkaSaslConfig selects SASL/PLAIN or SASL/SCRAM; use it only over TLS outside a laptop. */
export interface KafkaSaslConfig {
  readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  readonly username: string;
  readonly password: string;
}

/**
 * KafkaTlsConfig turns TLS on. Without `ca` the system CAs verify the broker; `cert`/`key` (PEM)
 * add a client certificate for mutual TLS. `rejectUnauthorized` is always true: a broker whose
 * certificate does not verify is a broker we do not talk to.
 */
export interface KafkaTlsConfig {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly servername?: string;
}

/**
 * KafkaRetryConfig is kafkajs's retry policy for requests (exponential backoff with
 * randomisation): `retries` attempts after the first, starting at `initialRetryTimeMs`, capped at
 * `maxRetryTimeMs` per wait.
 */
export interface KafkaRetryConfig {
  readonly retries: number;
  readonly initialRetryTimeMs: number;
  readonly maxRetryTimeMs: number;
}

/** KafkaClientConfig is the typed slice of a service's config that builds a Kafka client. */
export interface KafkaClientConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly sasl?: KafkaSaslConfig | null;
  readonly tls?: KafkaTlsConfig | null;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly retry?: KafkaRetryConfig;
}

// kafkajs's own defaults are 1000 ms / 30000 ms; a local broker answers fast, a remote one over
// TLS+SASL needs a few round trips, so 10 s for the connection covers both without hiding an outage.
const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
// Eight retries from 300 ms doubling to a 30 s cap ride out a broker restart (about a minute).
const DEFAULT_RETRY: KafkaRetryConfig = { retries: 8, initialRetryTimeMs: 300, maxRetryTimeMs: 30_000 };

function saslOptions(sasl: KafkaSaslConfig): SASLOptions {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

function tlsOptions(tls: KafkaTlsConfig): ConnectionOptions | true {
  const options: ConnectionOptions = { rejectUnauthorized: true };
  if (tls.ca !== undefined) options.ca = [tls.ca];
  if (tls.cert !== undefined) options.cert = tls.cert;
  if (tls.key !== undefined) options.key = tls.key;
  if (tls.servername !== undefined) options.servername = tls.servername;
  return options;
}

/**
 * kafkaConfigFor translates a KafkaClientConfig into kafkajs's config, logs included: kafkajs
 * logs go to `logger` with the SASL password and TLS key scrubbed from every line.
 */
export function kafkaConfigFor(config: KafkaClientConfig, logger: Logger): KafkaConfig {
  const retry = config.retry ?? DEFAULT_RETRY;
  const secrets = [config.sasl?.password, config.tls?.key].filter((s): s is string => typeof s === 'string');
  const kafkaConfig: KafkaConfig = {
    brokers: [...config.brokers],
    clientId: config.clientId,
    connectionTimeout: config.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    requestTimeout: config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    retry: {
      retries: retry.retries,
      initialRetryTime: retry.initialRetryTimeMs,
      maxRetryTime: retry.maxRetryTimeMs,
    },
    logLevel: kafkaLogLevelFor(logger.level),
    logCreator: pinoLogCreator(logger, secrets),
  };
  if (config.sasl) kafkaConfig.sasl = saslOptions(config.sasl);
  if (config.tls) kafkaConfig.ssl = tlsOptions(config.tls);
  return kafkaConfig;
}

/**
 * KafkaClient is the client handle services pass from `createKafkaClient` to the producer,
 * consumer runner and admin factories; naming it here keeps services free of kafkajs imports.
 */
export type KafkaClient = Kafka;

/**
 * createKafkaClient builds the kafkajs client every adapter in this folder shares. It opens no
 * connection: producers, consumers and admins connect when started.
 */
export function createKafkaClient(config: KafkaClientConfig, logger: Logger): KafkaClient {
  if (config.brokers.length === 0) {
    throw new DriftlineError('CONFIG_INVALID', 'Kafka client config: at least one broker is required');
  }
  return new Kafka(kafkaConfigFor(config, logger));
}
