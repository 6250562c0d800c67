import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import type { DriftlineError } from '@driftline/shared/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { requestWatch } from './watch-request.ts';

// requestWatch against a loopback HTTP server that answers each watch with a scripted response.
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function serve(answer: (res: ServerResponse, url: URL) => void): Promise<KubeConfig> {
  server = createServer((req, res) => answer(res, new URL(req.url ?? '/', 'http://x')));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function run(kc: KubeConfig, inactivityMs = 5_000) {
  const lines: [string, unknown][] = [];
  const error = await new Promise<DriftlineError | null>((resolve) => {
    void requestWatch(
      kc,
      new URL(`${kc.getCurrentCluster()?.server}/apis/kubedb.com/v1/mongodbs?resourceVersion=7`),
      inactivityMs,
      (type, object) => lines.push([type, object]),
      resolve,
    );
  });
  return { lines, error };
}

const line = (type: string, rv: string) =>
  `${JSON.stringify({ type, object: { metadata: { resourceVersion: rv } } })}\n`;

describe('requestWatch', () => {
  it('asks for a watch and delivers every event in order, then ends cleanly', async () => {
    let asked: URL | undefined;
    const kc = await serve((res, url) => {
      asked = url;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(line('ADDED', '8') + line('MODIFIED', '9'));
      res.end(line('BOOKMARK', '10').trimEnd()); // the last line without a newline is delivered too
    });
    const { lines, error } = await run(kc);
    expect(asked?.searchParams.get('watch')).toBe('true');
    expect(asked?.searchParams.get('resourceVersion')).toBe('7');
    expect(error).toBeNull();
    expect(
      lines.map(([type, o]) => [
        type,
        (o as { metadata: { resourceVersion: string } }).metadata.resourceVersion,
      ]),
    ).toEqual([
      ['ADDED', '8'],
      ['MODIFIED', '9'],
      ['BOOKMARK', '10'],
    ]);
  });

  it('reports a 429 with its Retry-After, so the reflector waits as long as the server asked', async () => {
    const kc = await serve((res) => {
      res.writeHead(429, { 'retry-after': '3' });
      res.end('{"kind":"Status","code":429}');
    });
    const { lines, error } = await run(kc);
    expect(lines).toEqual([]);
    expect(error?.code).toBe('K8S_RATE_LIMITED');
    expect(error?.details?.['retryAfterMs']).toBe(3000);
  });

  it.each([
    [410, 'K8S_GONE'],
    [403, 'K8S_FORBIDDEN'],
    [500, 'K8S_UNAVAILABLE'],
  ] as const)('classifies a refused watch (HTTP %i) as %s', async (status, code) => {
    const kc = await serve((res) => {
      res.writeHead(status);
      res.end();
    });
    expect((await run(kc)).error?.code).toBe(code);
  });

  it('ends with an error at an unparsable line instead of skipping it (the reflector re-watches from the last event)', async () => {
    const kc = await serve((res) => {
      res.writeHead(200);
      res.write(line('ADDED', '8') + '{"type":"MODIFIED","object":{\n' + line('MODIFIED', '10'));
      res.end();
    });
    const { lines, error } = await run(kc);
    expect(lines.map(([type]) => type)).toEqual(['ADDED']);
    expect(error?.code).toBe('K8S_UNAVAILABLE');
    expect(error?.retryable).toBe(true);
  });

  it('ends a silent stream with TIMEOUT after the inactivity limit', async () => {
    const kc = await serve((res) => {
      res.writeHead(200);
      res.write(line('ADDED', '8')); // then nothing, connection kept open
    });
    const { lines, error } = await run(kc, 100);
    expect(lines).toHaveLength(1);
    expect(error?.code).toBe('TIMEOUT');
  });
});
