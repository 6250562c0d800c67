import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaConfigFor } from './client-factory.ts';
import { kafkaLogLevelFor, pinoLogCreator, scrubLogValue } from './log-creator.ts';

const CANARY = 'canary-Pa55w0rd-7f3a';

function capture(level = 'debug') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line.length > 0),
      );
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

describe('pinoLogCreator', () => {
  it('routes kafkajs entries into pino with level and namespace, secrets scrubbed everywhere', () => {
    const { logger, lines } = capture();
    const log = pinoLogCreator(logger, [CANARY])(logLevel.DEBUG);
    log({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: {
        timestamp: 'x',
        message: `SASL authentication failed for password ${CANARY}`,
        broker: '127.0.0.1:9092',
        nested: { detail: `user:${CANARY}@host`, password: 'other-secret-value' },
        request: Buffer.from(`\0user\0${CANARY}`),
        error: new Error(`boom ${CANARY}`),
      },
    });
    log({
      namespace: 'Consumer',
      level: logLevel.INFO,
      label: 'INFO',
      log: { timestamp: 'x', message: 'Starting' },
    });
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain(CANARY);
      expect(line).not.toContain('other-secret-value');
    }
    const first = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(first).toMatchObject({
      level: 50,
      component: 'kafkajs',
      kafkaNamespace: 'Connection',
      broker: '127.0.0.1:9092',
      msg: 'SASL authentication failed for password [REDACTED]',
      nested: { detail: 'user:[REDACTED]@host', password: '[REDACTED]' },
    });
    expect(first['request']).toMatch(/^\[\d+ bytes\]$/);
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({
      level: 30,
      msg: 'Starting',
      kafkaNamespace: 'Consumer',
    });
  });

  it('never logs the SASL password through a real kafkajs client that fails to connect', async () => {
    const { logger, lines } = capture();
    const config = kafkaConfigFor(
      {
        brokers: ['127.0.0.1:1'],
        clientId: 'log-test',
        sasl: { mechanism: 'scram-sha-512', username: 'svc', password: CANARY },
        connectionTimeoutMs: 200,
        retry: { retries: 0, initialRetryTimeMs: 10, maxRetryTimeMs: 10 },
      },
      logger,
    );
    // No broker listens there: the socket factory fails every connection without touching the network.
    const kafka = new Kafka({
      ...config,
      socketFactory: () => {
        throw Object.assign(new Error(`connect ECONNREFUSED for ${CANARY}`), { code: 'ECONNREFUSED' });
      },
    });
    const admin = kafka.admin();
    await expect(admin.connect()).rejects.toThrow();
    await admin.disconnect();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(CANARY);
  });

  it('maps pino levels to the kafkajs level that emits the same lines', () => {
    expect(kafkaLogLevelFor('debug')).toBe(logLevel.DEBUG);
    expect(kafkaLogLevelFor('info')).toBe(logLevel.INFO);
    expect(kafkaLogLevelFor('warn')).toBe(logLevel.WARN);
    expect(kafkaLogLevelFor('error')).toBe(logLevel.ERROR);
    expect(kafkaLogLevelFor('silent')).toBe(logLevel.NOTHING);
  });

  it('stops at a bounded depth on cyclic values', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(JSON.stringify(scrubLogValue(cyclic, []))).toContain('[truncated]');
  });
});
