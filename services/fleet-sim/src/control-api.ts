import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  changeSchema,
  countSchema,
  createDatabaseSchema,
  defectSchema,
  faultSpecSchema,
  seedSchema,
  statusSchema,
} from './control-schemas.ts';
import type { FaultSpec } from './faults.ts';
import type { Fleet } from './fleet.ts';
import type { Defect } from './kubedb-object.ts';
import type { DatabaseRef, SimCluster } from './sim-cluster.ts';
import { SimError, type SimErrorCode } from './sim-error.ts';

const SIM_ERROR_STATUS: Record<SimErrorCode, number> = {
  'not-found': 404,
  'already-exists': 409,
  'unknown-kind': 404,
  invalid: 400,
};

/** ControlServer is the running control API. */
export interface ControlServer {
  readonly url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.statusCode = statusCode;
  }
}

type Handler = (ctx: {
  fleet: Fleet;
  params: string[];
  body: unknown;
  url: URL;
}) => Promise<unknown> | unknown;

/**
 * CONTROL_ROUTES is the control API: JSON in, JSON out, on its own port (never the clusters'), for
 * tests in other processes, benchmarks and humans. Each route maps onto the in-process Fleet /
 * SimCluster method of the same name. `:id` is a cluster id; `:kind` a kind name or plural.
 */
export const CONTROL_ROUTES: readonly (readonly [method: string, pattern: string, handler: Handler])[] = [
  ['GET', '/healthz', () => ({ ok: true })],
  ['GET', '/clusters', ({ fleet }) => fleet.clusters.map(summary)],
  [
    'POST',
    '/clusters',
    async ({ fleet, body }) => {
      const { count } = parse(countSchema, body ?? {});
      const added: SimCluster[] = [];
      for (let i = 0; i < count; i += 1) added.push(await fleet.addCluster());
      return added.map(summary);
    },
  ],
  ['POST', '/seed', ({ fleet, body }) => ({ created: fleet.seed(parse(seedSchema, body)) })],
  ['GET', '/counters', ({ fleet }) => fleet.counters()],
  ['GET', '/clusters/:id', ({ fleet, params }) => summary(cluster(fleet, params))],
  ['GET', '/clusters/:id/kubeconfig', ({ fleet, params }) => cluster(fleet, params).kubeconfig()],
  [
    'POST',
    '/clusters/:id/seed',
    ({ fleet, params, body }) => ({ created: cluster(fleet, params).seed(parse(seedSchema, body)).length }),
  ],
  [
    'GET',
    '/clusters/:id/databases',
    ({ fleet, params, url }) =>
      cluster(fleet, params).listDatabases(url.searchParams.get('kind') ?? undefined),
  ],
  [
    'POST',
    '/clusters/:id/databases',
    ({ fleet, params, body }) => {
      const { kind, namespace, name, fields, status } = parse(createDatabaseSchema, body);
      return cluster(fleet, params).createDatabase({ kind, namespace, name }, fields, status);
    },
  ],
  [
    'GET',
    '/clusters/:id/databases/:kind/:namespace/:name',
    ({ fleet, params }) => cluster(fleet, params).getDatabase(ref(params)) ?? notFound(params),
  ],
  [
    'PATCH',
    '/clusters/:id/databases/:kind/:namespace/:name',
    ({ fleet, params, body }) => {
      const { converge, ...change } = parse(changeSchema, body);
      return cluster(fleet, params).changeDatabase(ref(params), change, { converge: converge ?? false });
    },
  ],
  [
    'PUT',
    '/clusters/:id/databases/:kind/:namespace/:name/status',
    ({ fleet, params, body }) => cluster(fleet, params).setStatus(ref(params), parse(statusSchema, body)),
  ],
  [
    'POST',
    '/clusters/:id/databases/:kind/:namespace/:name/malform',
    ({ fleet, params, body }) =>
      cluster(fleet, params).malform(ref(params), parse(defectSchema, body).defect as Defect),
  ],
  [
    'DELETE',
    '/clusters/:id/databases/:kind/:namespace/:name',
    ({ fleet, params }) => ({
      deleted: cluster(fleet, params).deleteDatabase(ref(params)) || notFound(params),
    }),
  ],
  ['POST', '/clusters/:id/converge', ({ fleet, params }) => ({ changed: cluster(fleet, params).converge() })],
  [
    'POST',
    '/clusters/:id/drift',
    ({ fleet, params, body }) => cluster(fleet, params).injectDrift(parse(countSchema, body ?? {}).count),
  ],
  ['GET', '/clusters/:id/faults', ({ fleet, params }) => cluster(fleet, params).faults()],
  [
    'POST',
    '/clusters/:id/faults',
    ({ fleet, params, body }) => ({
      id: cluster(fleet, params).injectFault(parse(faultSpecSchema, body) as FaultSpec),
    }),
  ],
  [
    'DELETE',
    '/clusters/:id/faults',
    ({ fleet, params }) => ({ cleared: cluster(fleet, params).clearFaults() ?? true }),
  ],
  [
    'DELETE',
    '/clusters/:id/faults/:faultId',
    ({ fleet, params }) => ({ cleared: cluster(fleet, params).clearFaults(Number(params[1])) ?? true }),
  ],
  [
    'POST',
    '/clusters/:id/drop-watches',
    ({ fleet, params }) => ({ dropped: cluster(fleet, params).dropWatches() }),
  ],
  [
    'POST',
    '/clusters/:id/end-watches',
    ({ fleet, params }) => ({ ended: cluster(fleet, params).endWatches() }),
  ],
  [
    'POST',
    '/clusters/:id/compact',
    ({ fleet, params }) => {
      const c = cluster(fleet, params);
      c.compactHistory();
      return { compactedThrough: c.revision };
    },
  ],
  [
    'POST',
    '/clusters/:id/release-stalled',
    ({ fleet, params }) => ({ released: cluster(fleet, params).releaseStalled() }),
  ],
  ['GET', '/clusters/:id/counters', ({ fleet, params }) => cluster(fleet, params).counters()],
  [
    'DELETE',
    '/clusters/:id/counters',
    ({ fleet, params }) => ({ reset: cluster(fleet, params).resetCounters() ?? true }),
  ],
];

/**
 * startControlServer serves CONTROL_ROUTES for `fleet` on 127.0.0.1:`port` (0 = ephemeral).
 * Errors answer `{ error }` with 400 (bad body), 404 (unknown cluster, object or route) or 500.
 */
export async function startControlServer(
  fleet: Fleet,
  options: { port: number; logger: Logger },
): Promise<ControlServer> {
  const server: Server = createServer((req, res) => {
    handle(fleet, req, res).catch((error: unknown) => {
      options.logger.error({ err: error }, 'fleet-sim control request failed');
      reply(res, 500, { error: 'internal error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(fleet: Fleet, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://control');
  const segments = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  for (const [method, pattern, handler] of CONTROL_ROUTES) {
    const params = match(pattern, segments);
    if (params === undefined || method !== req.method) continue;
    try {
      const body = await readBody(req);
      reply(res, 200, (await handler({ fleet, params, body, url })) ?? null);
    } catch (error) {
      if (error instanceof HttpError) reply(res, error.statusCode, { error: error.message });
      else if (error instanceof SimError) reply(res, SIM_ERROR_STATUS[error.code], { error: error.message });
      else throw error;
    }
    return;
  }
  reply(res, 404, { error: `no control route ${req.method ?? ''} ${url.pathname}` });
}

function match(pattern: string, segments: readonly string[]): string[] | undefined {
  const parts = pattern.split('/').filter((s) => s !== '');
  if (parts.length !== segments.length) return undefined;
  const params: string[] = [];
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] as string;
    if (part.startsWith(':')) params.push(segment);
    else if (part !== segment) return undefined;
  }
  return params;
}

function cluster(fleet: Fleet, params: readonly string[]): SimCluster {
  const found = fleet.findCluster(params[0] ?? '');
  if (found === undefined) throw new HttpError(404, `no cluster "${params[0] ?? ''}"`);
  return found;
}

function ref(params: readonly string[]): DatabaseRef {
  return { kind: params[1] ?? '', namespace: params[2] ?? '', name: params[3] ?? '' };
}

function notFound(params: readonly string[]): never {
  throw new HttpError(404, `${params[1] ?? ''} ${params[2] ?? ''}/${params[3] ?? ''} not found`);
}

function summary(c: SimCluster) {
  return {
    id: c.id,
    server: c.server,
    revision: c.revision,
    objects: c.store.count(),
    openWatches: c.counters().openWatches,
  };
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (!result.success)
    throw new HttpError(400, result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return result.data;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

function reply(res: ServerResponse, statusCode: number, body: unknown): void {
  if (res.headersSent) return;
  const payload = JSON.stringify(body);
  res
    .writeHead(statusCode, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(payload),
    })
    .end(payload);
}
