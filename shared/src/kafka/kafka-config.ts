import { readFileSync } from 'node:fs';
import type { TopicId } from '@driftline/schemas';
import { DriftlineError } from '@driftline/shared/errors';
import type { KafkaClientConfig } from './client-factory.ts';

/**
 * KafkaEnvSlice is the slice of a service's loaded config that `kafkaConfigShape`
 * (`@driftline/shared/config`) declares.
 */
export interface KafkaEnvSlice {
  readonly KAFKA_BROKERS: readonly string[];
  readonly KAFKA_CLIENT_ID: string;
  readonly KAFKA_SASL_MECHANISM: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512';
  readonly KAFKA_SASL_USERNAME: string;
  readonly KAFKA_SASL_PASSWORD: string;
  readonly KAFKA_TLS_ENABLED: boolean;
  readonly KAFKA_TLS_CA_FILE: string;
}

/**
 * kafkaClientConfigFromEnv turns the loaded Kafka variables into a KafkaClientConfig: SASL unless
 * the mechanism is `none`, TLS when enabled (the CA PEM read from KAFKA_TLS_CA_FILE, or the system
 * CAs when it is empty). An unreadable CA file fails fast with CONFIG_INVALID naming the variable
 * (never the file's content).
 */
export function kafkaClientConfigFromEnv(
  env: KafkaEnvSlice,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): KafkaClientConfig {
  let ca: string | undefined;
  if (env.KAFKA_TLS_ENABLED && env.KAFKA_TLS_CA_FILE !== '') {
    try {
      ca = readFile(env.KAFKA_TLS_CA_FILE);
    } catch (error) {
      throw new DriftlineError('CONFIG_INVALID', `KAFKA_TLS_CA_FILE: cannot read ${env.KAFKA_TLS_CA_FILE}`, {
        cause: error,
        details: { variable: 'KAFKA_TLS_CA_FILE' },
      });
    }
  }
  return {
    brokers: [...env.KAFKA_BROKERS],
    clientId: env.KAFKA_CLIENT_ID,
    sasl:
      env.KAFKA_SASL_MECHANISM === 'none'
        ? null
        : {
            mechanism: env.KAFKA_SASL_MECHANISM,
            username: env.KAFKA_SASL_USERNAME,
            password: env.KAFKA_SASL_PASSWORD,
          },
    tls: env.KAFKA_TLS_ENABLED ? (ca === undefined ? {} : { ca }) : null,
  };
}

/** TopicsEnvSlice is the slice of a loaded config that `topicsConfigShape` declares. */
export interface TopicsEnvSlice {
  readonly TOPIC_PROVIDERS: string;
  readonly TOPIC_PROVIDER_HEALTH: string;
  readonly TOPIC_DESIRED: string;
  readonly TOPIC_OBSERVED: string;
  readonly TOPIC_DRIFT: string;
  readonly TOPIC_OPERATIONS: string;
  readonly TOPIC_DEADLETTER: string;
}

/**
 * topicNamesFromEnv maps the TOPIC_* variables to Kafka names by topic id, the shape
 * `driftlineTopicSet({ names })` and `createAvroSerde({ topicNames })` take.
 */
export function topicNamesFromEnv(env: TopicsEnvSlice): Record<TopicId, string> {
  return {
    providers: env.TOPIC_PROVIDERS,
    providerHealth: env.TOPIC_PROVIDER_HEALTH,
    desired: env.TOPIC_DESIRED,
    observed: env.TOPIC_OBSERVED,
    drift: env.TOPIC_DRIFT,
    operations: env.TOPIC_OPERATIONS,
    deadletter: env.TOPIC_DEADLETTER,
  };
}
