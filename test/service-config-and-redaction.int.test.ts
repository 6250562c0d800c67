import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stackEndpoints } from './support/stack.ts';

// Each service, run as the process an operator runs: a bad configuration value stops it at startup
// naming the variable, and planted secrets (Kafka SASL password, registry password, credentials in
// the MongoDB connection string, the provider-credentials key) never reach a log line, whatever
// the service logs while it fails to authenticate against the real stack.

const services = ['watcher', 'desired', 'reconciler', 'sink'] as const;
const root = join(import.meta.dirname, '..');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * runService starts `node services/<name>/src/main.ts` and ends it with SIGTERM once `done` says
 * so (or after `maxMs`, SIGKILL as a last resort), returning everything it wrote.
 */
function runService(
  name: string,
  env: Record<string, string>,
  done: (stdout: string) => boolean,
  maxMs: number,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'services', name, 'src', 'main.ts')], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let terminating = false;
    const terminate = (): void => {
      if (terminating) return;
      terminating = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    };
    const deadline = setTimeout(terminate, maxMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (done(stdout)) terminate();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(deadline);
      resolve({ code, stdout, stderr });
    });
  });
}

function withCredentials(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = password;
  return parsed.toString();
}

describe.each(services)('%s as a process', (name) => {
  it('refuses a bad value at startup, naming the variable', async () => {
    const run = await runService(name, { HTTP_PORT: 'seventy' }, () => false, 60_000);
    expect(run.code).not.toBe(0);
    expect(run.stderr + run.stdout).toContain('HTTP_PORT');
    expect(run.stderr + run.stdout).toContain('seventy');
  });

  it('never logs a planted secret while it fails to authenticate', async () => {
    const stack = stackEndpoints();
    const canary = `canary${randomBytes(8).toString('hex')}`;
    const credentialsKey = randomBytes(32).toString('base64');
    const env = {
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'driftline',
      KAFKA_SASL_PASSWORD: `kafka-${canary}`,
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      SCHEMA_REGISTRY_USERNAME: 'driftline',
      SCHEMA_REGISTRY_PASSWORD: `registry-${canary}`,
      MONGO_URL: withCredentials(stack.mongoUrl, 'driftline', `mongo-${canary}`),
      WATCHER_CREDENTIALS_KEY: credentialsKey,
      DESIRED_CREDENTIALS_KEY: credentialsKey,
      HTTP_PORT: '0',
      LOG_LEVEL: 'debug',
    };
    // Enough output to have logged the configuration and at least one failed connection attempt.
    const sawFailure = (stdout: string): boolean =>
      stdout.includes('"configuration"') && /"level":(40|50|60)/.test(stdout);
    const run = await runService(name, env, sawFailure, 45_000);

    const lines = run.stdout.split('\n').filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    const parsed = lines.map((line) => JSON.parse(line) as { msg?: string });
    expect(parsed.some((line) => line.msg === 'configuration')).toBe(true);
    for (const secret of [canary, credentialsKey]) {
      expect(run.stdout).not.toContain(secret);
      expect(run.stderr).not.toContain(secret);
    }
  });
});
