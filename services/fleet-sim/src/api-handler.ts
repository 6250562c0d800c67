import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import {
  apiGroupList,
  coreApiVersions,
  coreResourceList,
  kubedbGroup,
  kubedbResourceList,
  namespaceList,
  namespaceObject,
  versionInfo,
} from './discovery.ts';
import type { FaultDecision, FaultSchedule } from './faults.ts';
import type { RequestCounters } from './request-counters.ts';
import {
  handleCreate,
  handleDelete,
  handleGet,
  handleList,
  handlePatch,
  handleUpdate,
  statusReply,
  type Reply,
} from './resource-handlers.ts';
import { patchTypeOf } from './patch.ts';
import { routeOf, type Route } from './route.ts';
import { parseSelectors } from './selector.ts';
import type { Stalls } from './stalls.ts';
import { failure, isStatus } from './status.ts';
import { jsonOf, type KubeObject } from './kube-object.ts';
import type { ClusterStore } from './store.ts';
import { openWatch, type WatchOptions } from './watch-handler.ts';
import type { WatchHub } from './watch-hub.ts';

/** ApiContext is everything one simulated API server answers from. */
export interface ApiContext {
  readonly store: ClusterStore;
  readonly hub: WatchHub;
  readonly faults: FaultSchedule;
  readonly counters: RequestCounters;
  readonly stalls: Stalls;
  readonly token: string;
  readonly serverAddress: () => string;
  readonly watch: WatchOptions;
  /** Largest request body accepted, in bytes (the API server's limit is 3 MiB). */
  readonly maxBodyBytes: number;
  readonly logger: Logger;
}

/**
 * createApiHandler returns the request listener of one simulated Kubernetes API server:
 * health endpoints unauthenticated; everything else needs `Authorization: Bearer <token>` (401
 * Status otherwise); then the cluster's faults decide (429 with Retry-After, 5xx, stall, 410
 * storm, slow LIST, watch drop) before discovery, LIST/WATCH and the object verbs are served.
 * Every request is counted by verb, every response by status code.
 */
export function createApiHandler(ctx: ApiContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    serve(ctx, req, res).catch((error: unknown) => {
      ctx.logger.error({ err: error, method: req.method, url: req.url }, 'fleet-sim request failed');
      if (!res.headersSent) send(ctx, res, statusReply(failure('InternalError', 'internal error')));
      else res.destroy();
    });
  };
}

async function serve(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fleet-sim');
  const route = routeOf(req.method ?? 'GET', url);
  if (route.type === 'health') {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    return;
  }
  ctx.counters.request(route.verb);
  if (!authorized(req.headers.authorization, ctx.token)) {
    send(ctx, res, statusReply(failure('Unauthorized', 'Unauthorized')));
    return;
  }
  const decision = ctx.faults.decide(route.verb);
  if (decision.reject !== undefined) {
    send(ctx, res, rejection(decision.reject));
    return;
  }
  if (decision.stall !== undefined && !(await ctx.stalls.hold(res, decision.stall.ms))) return;
  const body =
    req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH' || req.method === 'DELETE'
      ? await readJson(req, ctx.maxBodyBytes)
      : undefined;
  if (body !== undefined && 'error' in body) {
    send(ctx, res, statusReply(failure('BadRequest', body.error)));
    return;
  }
  if (route.type === 'resource' && route.verb === 'list' && decision.listDelayMs > 0) {
    if (!(await delayUnlessClosed(res, decision.listDelayMs))) return;
  }
  if (route.type === 'resource' && route.verb === 'watch') {
    const selector = parseSelectors(
      url.searchParams.get('labelSelector') ?? undefined,
      url.searchParams.get('fieldSelector') ?? undefined,
    );
    if (!selector.ok) {
      send(ctx, res, statusReply(failure('BadRequest', selector.message)));
      return;
    }
    ctx.counters.response(200);
    openWatch(
      ctx.store,
      ctx.hub,
      res,
      route.kind,
      route.namespace,
      selector.matches,
      url.searchParams,
      decision,
      ctx.watch,
    );
    return;
  }
  send(ctx, res, answer(ctx, req, route, url, body?.value, decision));
}

function answer(
  ctx: ApiContext,
  req: IncomingMessage,
  route: Route,
  url: URL,
  body: unknown,
  decision: FaultDecision,
): Reply {
  switch (route.type) {
    case 'discovery':
      return {
        statusCode: 200,
        body: discoveryBody(ctx, route.path, route.name) ?? failure('NotFound', 'not found'),
      };
    case 'not-found':
      return statusReply(failure('NotFound', 'the server could not find the requested resource'));
    case 'method-not-allowed':
      return statusReply(
        failure('MethodNotAllowed', `the server does not allow this method on the requested resource`),
      );
    case 'health':
      return { statusCode: 200, body: 'ok' };
    case 'resource':
      break;
  }
  const { kind, namespace = '', name = '' } = route;
  const target = route.subresource === 'status' ? 'status' : 'main';
  switch (route.verb) {
    case 'list': {
      const q = url.searchParams;
      const selector = parseSelectors(
        q.get('labelSelector') ?? undefined,
        q.get('fieldSelector') ?? undefined,
      );
      if (!selector.ok) return statusReply(failure('BadRequest', selector.message));
      const limit = q.get('limit');
      return handleList(ctx.store, kind, {
        namespace: route.namespace,
        limit: limit === null ? undefined : Number(limit),
        continue: q.get('continue') ?? undefined,
        resourceVersion: q.get('resourceVersion') ?? undefined,
        resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
        selector: q.has('labelSelector') || q.has('fieldSelector') ? selector.matches : undefined,
        forceGone: decision.forceGone,
      });
    }
    case 'get':
      return handleGet(ctx.store, kind, namespace, name);
    case 'create':
      return handleCreate(ctx.store, kind, namespace, body);
    case 'update':
      return handleUpdate(ctx.store, kind, namespace, name, body, target);
    case 'patch': {
      const type = patchTypeOf(req.headers['content-type']);
      if (type === undefined) {
        return statusReply(
          failure(
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json`,
          ),
        );
      }
      return handlePatch(ctx.store, kind, namespace, name, body, type, target);
    }
    case 'delete':
      return handleDelete(ctx.store, kind, namespace, name, body);
    default:
      return statusReply(failure('MethodNotAllowed', 'unsupported verb'));
  }
}

function discoveryBody(ctx: ApiContext, path: string, name: string | undefined): unknown {
  switch (path) {
    case 'version':
      return versionInfo();
    case 'api':
      return coreApiVersions(ctx.serverAddress());
    case 'api-v1':
      return coreResourceList();
    case 'apis':
      return apiGroupList();
    case 'group':
      return kubedbGroup();
    case 'group-version':
      return kubedbResourceList();
    case 'namespaces':
      return namespaceList(ctx.store.namespaces(), String(ctx.store.revision));
    case 'namespace':
      return name !== undefined ? namespaceObject(name) : undefined;
    default:
      return undefined;
  }
}

function rejection(reject: NonNullable<FaultDecision['reject']>): Reply {
  if (reject.statusCode === 429) {
    const seconds = reject.retryAfterSeconds ?? 1;
    return statusReply(
      failure('TooManyRequests', 'Too many requests, please try again later.', undefined, {
        retryAfterSeconds: seconds,
      }),
      { 'Retry-After': String(seconds) },
    );
  }
  const status = failure('InternalError', `Internal error occurred: injected fault (${reject.statusCode})`);
  return { statusCode: reject.statusCode, body: { ...status, code: reject.statusCode } };
}

function send(ctx: ApiContext, res: ServerResponse, reply: Reply): void {
  ctx.counters.response(reply.statusCode);
  if (res.destroyed) return;
  const payload = reply.raw ?? (isStored(reply.body) ? jsonOf(reply.body) : JSON.stringify(reply.body));
  res.writeHead(reply.statusCode, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
    ...reply.headers,
  });
  res.end(payload);
}

function authorized(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length).trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readJson(
  req: IncomingMessage,
  maxBytes: number,
): Promise<{ value: unknown } | { error: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) return { error: `request body larger than ${maxBytes} bytes` };
    chunks.push(buffer);
  }
  if (size === 0) return { value: undefined };
  try {
    return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { error: 'the request body is not valid JSON' };
  }
}

function isStored(body: unknown): body is KubeObject {
  return (
    typeof body === 'object' && body !== null && !isStatus(body) && 'metadata' in body && 'apiVersion' in body
  );
}

/** delayUnlessClosed waits `ms`; resolves false early (timer cleared) when the client goes away. */
function delayUnlessClosed(res: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(!res.destroyed);
    }, ms);
    res.once('close', onClose);
  });
}
