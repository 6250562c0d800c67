import { describe, expect, it } from 'vitest';
import { createLogger, withKey, type Logger } from './logger.ts';

const canary = 'CANARY-s3cr3t-7f1c';

function capture(level: 'info' | 'debug' = 'debug'): {
  logger: Logger;
  lines: () => Record<string, unknown>[];
  raw: string[];
} {
  const raw: string[] = [];
  const logger = createLogger({
    service: 'test',
    level,
    destination: { write: (line: string) => raw.push(line) },
  });
  return {
    logger,
    raw,
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const kubeconfig = {
  apiVersion: 'v1',
  clusters: [
    { name: 'p1', cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority-data': 'Q0E=' } },
  ],
  users: [
    {
      name: 'admin',
      user: {
        token: canary,
        'client-key-data': canary,
        'client-certificate-data': canary,
        'auth-provider': { config: { 'id-token': canary, 'refresh-token': canary } },
      },
    },
  ],
};

describe('createLogger redaction', () => {
  it('never writes a planted canary secret, wherever it was planted', () => {
    const { logger, raw, lines } = capture();
    const connectionError = new Error(
      `failed to connect to mongodb://driftline:${canary}@db-0:27017/platform`,
    );
    logger.info(
      { password: canary, nested: { deeper: { evenDeeper: { sasl: { password: canary } } } } },
      'objects',
    );
    logger.info(
      { config: { MONGO_PASSWORD: canary, KAFKA_SASL_PASSWORD: canary, apiKey: canary } },
      'env-like',
    );
    logger.info({ a: { b: { c: { d: { e: { f: { token: canary } } } } } } }, 'very deep');
    logger.error(connectionError, 'mongo down');
    logger.error(connectionError);
    logger.error({ err: new Error('outer', { cause: connectionError }) }, 'with cause');
    logger.warn(`connecting to mongodb+srv://user:${canary}@cluster0.example.net/?retryWrites=true`);
    logger.warn('connecting to %s', `mongodb://user:${canary}@h1:27017,h2:27017/db`);
    logger.info({ kubeconfig }, 'kubeconfig under its own key');
    logger.info({ provider: { spec: kubeconfig } }, 'kubeconfig under another key');
    logger.info({ headers: { Authorization: `Bearer ${canary}` } }, 'headers');
    logger.info(`request sent with Authorization: Bearer ${canary}`);
    logger.info(`-----BEGIN RSA PRIVATE KEY-----\n${canary}\n-----END RSA PRIVATE KEY-----`);
    logger.info({ body: `client-key-data: ${canary}\ntoken: ${canary}` }, 'yaml in a string');
    logger.info({ url: `https://api.example?token=${canary}&x=1` }, 'token in a query');
    logger.child({ password: canary, component: 'sink' }).info('child bindings');
    withKey(logger, 'p1/ns/MongoDB/db1', 'corr-1')
      .child({ provider: { token: canary } })
      .info('keyed child');
    logger.warn({ error: connectionError, attempt: 2 }, 'retrying');
    logger
      .child({ component: 'a' })
      .child({ x: { y: { z: { w: { password: canary } } } } })
      .info('grandchild');
    const thrown = Object.assign(new Error('bad'), { details: { password: canary } });
    logger.error({ err: thrown }, 'error props');

    expect(raw.length).toBe(20);
    for (const line of raw) expect(line).not.toContain(canary);
    // Every line is one valid JSON object.
    expect(lines()).toHaveLength(20);
    expect(lines()[0]?.['password']).toBe('[REDACTED]');
  });

  it('keeps the useful parts: user and host of a connection string, message text, error type and stack', () => {
    const { logger, lines } = capture();
    logger.error(new TypeError(`cannot reach mongodb://driftline:${canary}@db-0:27017`));
    const [line] = lines();
    expect(line?.['msg']).toBe('cannot reach mongodb://driftline:***@db-0:27017');
    const err = line?.['err'] as Record<string, unknown>;
    expect(err['type']).toBe('TypeError');
    expect(err['message']).toBe('cannot reach mongodb://driftline:***@db-0:27017');
    expect(String(err['stack'])).toContain('logger.test.ts');
    expect(String(err['stack'])).not.toContain(canary);
  });

  it('writes level labels, ISO time, service, and child bindings for key and correlation id', () => {
    const { logger, lines } = capture();
    withKey(logger.child({ component: 'reflector', provider: 'p1' }), 'p1/ns/MongoDB/db1', 'corr-1').info(
      'hello',
    );
    const [line] = lines();
    expect(line).toMatchObject({
      level: 'info',
      service: 'test',
      component: 'reflector',
      provider: 'p1',
      key: 'p1/ns/MongoDB/db1',
      correlationId: 'corr-1',
      msg: 'hello',
    });
    expect(Number.isNaN(Date.parse(String(line?.['time'])))).toBe(false);
  });

  it('honours the level', () => {
    const { logger, raw } = capture('info');
    logger.debug('hidden');
    logger.info('shown');
    expect(raw).toHaveLength(1);
  });

  it('does not censor a change stream resume token', () => {
    const { logger, lines } = capture();
    logger.info({ resumeToken: { _data: '8263A1' } }, 'resumed');
    expect(lines()[0]?.['resumeToken']).toEqual({ _data: '8263A1' });
  });
});
