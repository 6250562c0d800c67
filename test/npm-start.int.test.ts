import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { stackEndpoints } from './support/stack.ts';

// `npm start` as a person uses it: the demo comes up on the local stack, drift opens and resolves
// on screen as it happens, and Ctrl-C (SIGINT to the whole foreground process group, as a terminal
// sends it) stops everything it started and leaves no process behind.

const repo = new URL('..', import.meta.url).pathname;

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    // Only if an assertion failed half-way: never leave the demo running.
    if (child?.pid !== undefined && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
  });

  it('shows drift opening and resolving, and Ctrl-C stops every process it started', async () => {
    const endpoints = stackEndpoints();
    child = spawn(process.execPath, ['scripts/start.ts'], {
      cwd: repo,
      detached: true, // its own process group, like a terminal's foreground job
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
        SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
        MONGO_URL: endpoints.mongoUrl,
        DEMO_PROVIDERS_COUNT: '2',
        DEMO_DATABASES_PER_PROVIDER_COUNT: '20',
        DEMO_DRIFT_RATIO: '0.2',
        DEMO_INJECT_INTERVAL_MS: '0',
        DEMO_REMEDIATE_DELAY_MS: '500',
        DEMO_PERSIST_MS: '0',
      },
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // 'close', not 'exit': only then has everything the demo wrote reached `output`.
    let closed = false;
    const exited = new Promise<number | null>((resolve) =>
      child?.on('close', (code) => {
        closed = true;
        resolve(code);
      }),
    );

    const deadline = Date.now() + 150_000;
    while (!(/\bopened\b/.test(output) && /\bresolved\b/.test(output)) && Date.now() < deadline) {
      if (closed) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(output, output.slice(-3000)).toMatch(/✓ sink running/);
    expect(output, output.slice(-3000)).toMatch(/\bopened\b/);
    expect(output, output.slice(-3000)).toMatch(/\bresolved\b/);

    const pgid = child.pid as number;
    process.kill(-pgid, 'SIGINT');
    const code = await Promise.race([
      exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 60_000)),
    ]);
    expect(code).toBe(130);
    expect(output).toMatch(/services stopped/);
    // The services are children in the same group: none may outlive the demo.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(groupAlive(pgid)).toBe(false);
  }, 240_000);
});
