import { afterEach, describe, expect, it } from 'vitest';
import { createLifecycle } from '../lifecycle/index.ts';
import { createMetrics } from '../metrics/index.ts';
import { createHealth } from './health.ts';
import { startOpsServer, type OpsServer } from './ops-server.ts';

let server: OpsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function get(path: string): Promise<{ status: number; body: string; type: string | null }> {
  if (server === undefined) throw new Error('server not started');
  const response = await fetch(`http://${server.host}:${server.port}${path}`);
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}

describe('startOpsServer', () => {
  it('binds 127.0.0.1 by default and serves metrics, liveness and readiness', async () => {
    let now = 0;
    const lifecycle = createLifecycle({ clock: { now: () => now } });
    const consumer = lifecycle.component('consumer', { maxProgressAgeMs: 1_000 });
    const metrics = createMetrics({ service: 'test' });
    metrics.record({ type: 'kafka.consumed', topic: 'driftline.desired.v1', count: 3 });
    server = await startOpsServer({
      port: 0,
      registry: metrics.registry,
      health: createHealth({ lifecycle }),
    });
    expect(server.host).toBe('127.0.0.1');

    const scraped = await get('/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.type).toContain('text/plain');
    expect(scraped.body).toContain('process_cpu_user_seconds_total');
    expect(scraped.body).toContain('nodejs_eventloop_lag_seconds');
    expect(scraped.body).toContain(
      'driftline_events_in_total{topic="driftline.desired.v1",service="test"} 3',
    );

    const starting = await get('/readyz');
    expect(starting.status).toBe(503);
    expect(JSON.parse(starting.body)).toMatchObject({
      ok: false,
      components: [{ name: 'consumer', state: 'starting' }],
    });

    consumer.transition('running');
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({
      ok: true,
      components: [{ name: 'consumer', state: 'running', progressAgeMs: 0 }],
    });

    now = 1_001;
    const stale = await get('/readyz');
    expect(stale.status).toBe(503);
    expect(JSON.parse(stale.body)).toMatchObject({ components: [{ progressAgeMs: 1_001, ok: false }] });
    expect((await get('/healthz')).status).toBe(200);

    consumer.transition('failed', 'KAFKA_FATAL');
    expect((await get('/healthz')).status).toBe(503);
    expect((await get('/readyz')).status).toBe(503);
    expect((await get('/nope')).status).toBe(404);
    const post = await fetch(`http://${server.host}:${server.port}/readyz`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('closes cleanly, even with a keep-alive connection open, and frees the port', async () => {
    const lifecycle = createLifecycle();
    server = await startOpsServer({ port: 0, health: createHealth({ lifecycle }) });
    const { port } = server;
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/metrics')).status).toBe(404);
    await server.close();
    server = undefined;
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    // The port can be bound again.
    server = await startOpsServer({ port, health: createHealth({ lifecycle }) });
    expect(server.port).toBe(port);
  });
});
