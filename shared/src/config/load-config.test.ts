import { describe, expect, expectTypeOf, it } from 'vitest';
import { DriftlineError } from '../errors/index.ts';
import { defineConfig } from './define-config.ts';
import { kafkaConfigShape, mongoConfigShape, opsServerConfigShape } from './fragments.ts';
import { loadConfig } from './load-config.ts';
import { required, secret, variable } from './variable.ts';

const schema = defineConfig({
  ...kafkaConfigShape,
  ...mongoConfigShape,
  ...opsServerConfigShape(9464),
  SINK_CHUNK_SIZE_COUNT: variable
    .integer({ min: 1, max: 10_000 })
    .default(500)
    .describe('Operations per bulkWrite.'),
  SINK_FLUSH_INTERVAL_MS: variable
    .integer({ min: 1 })
    .default(200)
    .describe('Longest wait before a partial chunk is written.'),
  WATCHER_TOKEN: secret(required(variable.string().min(8).describe('Token for something.'))),
});

const canary = 'CANARY-pw-91ab';

function failure(env: Record<string, string>): DriftlineError {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof DriftlineError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('applies defaults, parses types and freezes the result deeply', () => {
    const config = loadConfig(schema, {
      WATCHER_TOKEN: 'abcdefgh',
      KAFKA_BROKERS: 'a:9092, b:9092',
      HTTP_PORT: '8080',
    });
    expect(config.KAFKA_BROKERS).toEqual(['a:9092', 'b:9092']);
    expect(config.HTTP_PORT).toBe(8080);
    expect(config.SINK_CHUNK_SIZE_COUNT).toBe(500);
    expect(config.KAFKA_TLS_ENABLED).toBe(false);
    expect(config.KAFKA_SASL_MECHANISM).toBe('none');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.KAFKA_BROKERS)).toBe(true);
    expectTypeOf(config.HTTP_PORT).toEqualTypeOf<number>();
    expectTypeOf(config.KAFKA_BROKERS).toEqualTypeOf<readonly string[]>();
    expectTypeOf(config.KAFKA_SASL_MECHANISM).toEqualTypeOf<
      'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512'
    >();
  });

  it('treats an empty string as unset and ignores undeclared variables', () => {
    const config = loadConfig(schema, { WATCHER_TOKEN: 'abcdefgh', SINK_CHUNK_SIZE_COUNT: '', PATH: '/bin' });
    expect(config.SINK_CHUNK_SIZE_COUNT).toBe(500);
    expect('PATH' in config).toBe(false);
  });

  it('parses booleans the usual ways', () => {
    expect(
      loadConfig(schema, { WATCHER_TOKEN: 'abcdefgh', KAFKA_TLS_ENABLED: 'true' }).KAFKA_TLS_ENABLED,
    ).toBe(true);
    expect(loadConfig(schema, { WATCHER_TOKEN: 'abcdefgh', KAFKA_TLS_ENABLED: '0' }).KAFKA_TLS_ENABLED).toBe(
      false,
    );
  });

  it('fails fast naming the variable, what was expected and what was received', () => {
    const error = failure({ WATCHER_TOKEN: 'abcdefgh', SINK_CHUNK_SIZE_COUNT: 'lots' });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('SINK_CHUNK_SIZE_COUNT');
    expect(error.message).toContain('expected number');
    expect(error.message).toContain('received "lots"');
    expect(error.details).toMatchObject({ variable: 'SINK_CHUNK_SIZE_COUNT' });
  });

  it('reports out-of-range values and every bad variable at once', () => {
    const error = failure({
      WATCHER_TOKEN: 'abcdefgh',
      SINK_CHUNK_SIZE_COUNT: '0',
      HTTP_PORT: '70000',
      KAFKA_SASL_MECHANISM: 'kerberos',
    });
    expect(error.message).toMatch(/SINK_CHUNK_SIZE_COUNT: .*>=1.*received "0"/);
    expect(error.message).toMatch(/HTTP_PORT: .*<=65535.*received "70000"/);
    expect(error.message).toMatch(/KAFKA_SASL_MECHANISM: .*"plain".*received "kerberos"/);
  });

  it('says when a required variable is missing', () => {
    const error = failure({});
    expect(error.message).toMatch(/WATCHER_TOKEN: .*received nothing \(unset\)/);
  });

  it('never echoes a secret or the password of a connection string', () => {
    const error = failure({
      WATCHER_TOKEN: canary.slice(0, 5),
      MONGO_URL: `not a url ${canary}@x`,
      KAFKA_BROKERS: ',',
    });
    expect(error.message).toContain('WATCHER_TOKEN');
    expect(error.message).toContain('[REDACTED]');
    expect(error.message).not.toContain('x-7Qz');
    expect(error.message).toContain('KAFKA_BROKERS');
    const urlError = failure({
      WATCHER_TOKEN: 'abcdefgh',
      SINK_FLUSH_INTERVAL_MS: `mongodb://u:${canary}@h`,
    });
    expect(urlError.message).not.toContain(canary);
    expect(urlError.message).toContain('mongodb://u:***@h');
  });
});

describe('loadConfig cross-variable checks', () => {
  it('requires SASL credentials once a mechanism is chosen', () => {
    const kafka = defineConfig({ ...kafkaConfigShape });
    expect(() => loadConfig(kafka, { KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toThrow(
      /KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is scram-sha-512/,
    );
    expect(() => loadConfig(kafka, { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' })).toThrow(
      /KAFKA_SASL_PASSWORD: required/,
    );
    expect(
      loadConfig(kafka, { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })
        .KAFKA_SASL_USERNAME,
    ).toBe('u');
  });

  it('runs a service check and treats a blank value as unset', () => {
    const own = defineConfig(
      {
        A_MS: variable.integer().default(5).describe('a'),
        B_MS: variable.integer().default(10).describe('b'),
      },
      {
        checks: [
          {
            variables: ['A_MS', 'B_MS'],
            check: (c) =>
              Number(c['A_MS']) > Number(c['B_MS'])
                ? { variable: 'A_MS', message: 'must not exceed B_MS' }
                : undefined,
          },
        ],
      },
    );
    expect(loadConfig(own, { A_MS: '  ' }).A_MS).toBe(5);
    const error = (() => {
      try {
        loadConfig(own, { A_MS: '20' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DriftlineError);
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('A_MS: must not exceed B_MS'),
    });
  });
});
