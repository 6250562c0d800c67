import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../logging/index.ts';
import type { Health } from './health.ts';
import type { HealthReport } from './health-report.ts';

/** OpsServerOptions configure `startOpsServer`. */
export interface OpsServerOptions {
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Defaults to 127.0.0.1; bind wider only inside a container. */
  readonly host?: string;
  /** Served on `/metrics`; without one `/metrics` answers 404. */
  readonly registry?: Registry;
  readonly health: Health;
  /** Where a failing request (e.g. a metric collector that throws) is reported. */
  readonly logger?: Logger;
}

/** OpsServer is the running server. */
export interface OpsServer {
  readonly host: string;
  readonly port: number;
  /** close stops accepting, ends idle keep-alive connections and resolves once closed. */
  close(): Promise<void>;
}

function sendReport(response: ServerResponse, report: HealthReport): void {
  response.writeHead(report.ok ? 200 : 503, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(JSON.stringify(report));
}

async function handle(
  options: OpsServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (path === '/healthz') return sendReport(response, options.health.liveness());
  if (path === '/readyz') return sendReport(response, options.health.readiness());
  if (path === '/metrics' && options.registry !== undefined) {
    const body = await options.registry.metrics();
    response.writeHead(200, { 'content-type': options.registry.contentType });
    response.end(body);
    return;
  }
  response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
}

/**
 * startOpsServer starts the service's one HTTP server for operations: `/metrics` (Prometheus
 * text), `/healthz` (liveness) and `/readyz` (readiness), the probes answering 200 or 503 with a
 * JSON body naming each component's state and progress age. It binds 127.0.0.1 unless told
 * otherwise and resolves once listening; a failure to bind rejects.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      options.logger?.error({ err: error, path: request.url }, 'ops server request failed');
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
