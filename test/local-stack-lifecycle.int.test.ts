import { readFile } from 'node:fs/promises';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createKafkaClient } from '@driftline/shared/kafka';
import { loadStackConfig, repoDir, stackStatus, upStack } from '../stack/src/index.ts';
import { stackEndpoints } from './support/stack.ts';

// The shared stack is never stopped here: other test files run against it after this one.
describe('the local stack', () => {
  const config = loadStackConfig(process.env, repoDir);

  it('reports every component healthy, each local one with a live pid that carries its marker', async () => {
    const statuses = await stackStatus(config);
    expect(statuses.map((s) => [s.name, s.healthy])).toEqual([
      ['kafka', true],
      ['mongo', true],
      ['schema-registry', true],
    ]);
    for (const status of statuses.filter((s) => !s.external)) {
      expect(status.pid, status.name).not.toBeNull();
      const cmdline = await readFile(`/proc/${status.pid}/cmdline`, 'utf8');
      expect(cmdline).toContain(`driftline-stack:${status.name}:${config.stackDir}`);
    }
  });

  it('a second `up` is idempotent: it reuses the running processes', async () => {
    const before = await stackStatus(config);
    const result = await upStack(config, () => undefined, 'test-run');
    expect(result.components.map((c) => c.state)).not.toContain('started');
    const after = await stackStatus(config);
    expect(after.map((s) => s.pid)).toEqual(before.map((s) => s.pid));
    expect(result.endpoints).toEqual(stackEndpoints());
  });

  it('serves Kafka metadata naming the advertised 127.0.0.1 listener', async () => {
    const admin = createKafkaClient(
      { brokers: stackEndpoints().kafkaBrokers, clientId: 'stack-test' },
      pino({ level: 'silent' }),
    ).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toEqual(
        config.kafka.external ? expect.any(Array) : [`127.0.0.1:${config.kafka.port}`],
      );
    } finally {
      await admin.disconnect();
    }
  });

  it('answers the schema registry API with Confluent content type', async () => {
    const response = await fetch(`${stackEndpoints().schemaRegistryUrl}/subjects`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/vnd\.schemaregistry\.v1\+json/);
    expect(Array.isArray(await response.json())).toBe(true);
  });
});
