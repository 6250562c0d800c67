import { describe, expect, it } from 'vitest';
import { topicIds } from '@driftline/schemas';
import { kafkaClientConfigFromEnv, topicNamesFromEnv, type KafkaEnvSlice } from './kafka-config.ts';

const base: KafkaEnvSlice = {
  KAFKA_BROKERS: ['b1:9092', 'b2:9092'],
  KAFKA_CLIENT_ID: 'sink',
  KAFKA_SASL_MECHANISM: 'none',
  KAFKA_SASL_USERNAME: '',
  KAFKA_SASL_PASSWORD: '',
  KAFKA_TLS_ENABLED: false,
  KAFKA_TLS_CA_FILE: '',
};

describe('kafkaClientConfigFromEnv', () => {
  it('is plaintext without SASL by default', () => {
    expect(kafkaClientConfigFromEnv(base)).toEqual({
      brokers: ['b1:9092', 'b2:9092'],
      clientId: 'sink',
      sasl: null,
      tls: null,
    });
  });

  it('adds SCRAM and TLS with a CA read from the file', () => {
    const config = kafkaClientConfigFromEnv(
      {
        ...base,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'svc',
        KAFKA_SASL_PASSWORD: 'pw',
        KAFKA_TLS_ENABLED: true,
        KAFKA_TLS_CA_FILE: '/etc/ca.pem',
      },
      (path) => `PEM of ${path}`,
    );
    expect(config.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'svc', password: 'pw' });
    expect(config.tls).toEqual({ ca: 'PEM of /etc/ca.pem' });
  });

  it('uses the system CAs when TLS has no CA file, and fails fast on an unreadable one', () => {
    expect(kafkaClientConfigFromEnv({ ...base, KAFKA_TLS_ENABLED: true }).tls).toEqual({});
    expect(() =>
      kafkaClientConfigFromEnv({ ...base, KAFKA_TLS_ENABLED: true, KAFKA_TLS_CA_FILE: '/nope' }, () => {
        throw new Error('ENOENT');
      }),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('topicNamesFromEnv', () => {
  it('names every topic id', () => {
    const names = topicNamesFromEnv({
      TOPIC_PROVIDERS: 'p',
      TOPIC_PROVIDER_HEALTH: 'h',
      TOPIC_DESIRED: 'd',
      TOPIC_OBSERVED: 'o',
      TOPIC_DRIFT: 'x',
      TOPIC_OPERATIONS: 'op',
      TOPIC_DEADLETTER: 'dl',
    });
    expect(Object.keys(names).sort()).toEqual([...topicIds].sort());
    expect(names.providerHealth).toBe('h');
  });
});
