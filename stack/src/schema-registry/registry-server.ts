import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { parseCompatibilityLevel } from './compatibility.ts';
import { RegistryError } from './registry-error.ts';
import type { RegistryStore } from './registry-store.ts';

/** CONTENT_TYPE is the media type Confluent's registry answers with. */
export const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** MAX_BODY_BYTES bounds a request body: Avro schemas are small; a 2 MiB body is a mistake or an attack. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

type Handler = (
  match: string[],
  body: () => Promise<Record<string, unknown>>,
  query: URLSearchParams,
) => Promise<Reply> | Reply;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handler: Handler;
  readonly mutates: boolean;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RegistryError('unprocessable', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new RegistryError('unprocessable', 'Unrecognized request body: expected a JSON object');
}

function schemaField(body: Record<string, unknown>): string {
  const schema = body['schema'];
  if (typeof schema !== 'string' || schema === '') throw new RegistryError('invalidSchema', 'Empty schema');
  const references = body['references'];
  if (Array.isArray(references) && references.length > 0) {
    throw new RegistryError(
      'invalidSchema',
      'Schema references are not supported by the dev/test registry stand-in',
    );
  }
  return schema;
}

function schemaTypeField(body: Record<string, unknown>): string | undefined {
  const type = body['schemaType'];
  return typeof type === 'string' ? type.toUpperCase() : undefined;
}

function routes(store: RegistryStore): Route[] {
  const s = '([^/]+)';
  const v = '([^/]+)';
  const route = (method: string, path: string, handler: Handler, mutates = false): Route => ({
    method,
    pattern: new RegExp(`^${path}/?$`),
    handler,
    mutates,
  });
  return [
    route('GET', '', () => ({ status: 200, body: {} })),
    route('GET', '/subjects', () => ({ status: 200, body: store.subjects() })),
    route('GET', `/subjects/${s}/versions`, ([subject = '']) => ({
      status: 200,
      body: store.versions(subject),
    })),
    route('GET', `/subjects/${s}/versions/${v}`, ([subject = '', version = '']) => ({
      status: 200,
      body: store.version(subject, version),
    })),
    route('GET', `/subjects/${s}/versions/${v}/schema`, ([subject = '', version = '']) => ({
      status: 200,
      body: JSON.parse(store.version(subject, version).schema) as unknown,
    })),
    route(
      'POST',
      `/subjects/${s}/versions`,
      async ([subject = ''], body) => {
        const json = await body();
        return { status: 200, body: store.register(subject, schemaField(json), schemaTypeField(json)) };
      },
      true,
    ),
    route('POST', `/subjects/${s}`, async ([subject = ''], body) => ({
      status: 200,
      body: store.lookup(subject, schemaField(await body())),
    })),
    route(
      'DELETE',
      `/subjects/${s}`,
      ([subject = ''], _body, query) => ({
        status: 200,
        body: store.deleteSubject(subject, query.get('permanent') === 'true'),
      }),
      true,
    ),
    route('GET', '/schemas/ids/([0-9]+)', ([id = '']) => ({
      status: 200,
      body: { schema: store.schemaById(Number(id)) },
    })),
    route('GET', '/schemas/ids/([0-9]+)/schema', ([id = '']) => ({
      status: 200,
      body: JSON.parse(store.schemaById(Number(id))) as unknown,
    })),
    route('GET', '/schemas/ids/([0-9]+)/versions', ([id = '']) => ({
      status: 200,
      body: store.subjectVersionsOfId(Number(id)),
    })),
    route('GET', '/schemas/types', () => ({ status: 200, body: ['AVRO'] })),
    route(
      'POST',
      `/compatibility/subjects/${s}/versions/${v}`,
      async ([subject = '', version = ''], body) => ({
        status: 200,
        body: { is_compatible: store.isCompatibleWith(subject, version, schemaField(await body())) },
      }),
    ),
    route('GET', '/config', () => ({ status: 200, body: { compatibilityLevel: store.globalLevel() } })),
    route(
      'PUT',
      '/config',
      async (_match, body) => {
        const level = parseCompatibilityLevel((await body())['compatibility']);
        store.setGlobalLevel(level);
        return { status: 200, body: { compatibility: level } };
      },
      true,
    ),
    route('GET', `/config/${s}`, ([subject = ''], _body, query) => ({
      status: 200,
      body: { compatibilityLevel: store.subjectLevel(subject, query.get('defaultToGlobal') === 'true') },
    })),
    route(
      'PUT',
      `/config/${s}`,
      async ([subject = ''], body) => {
        const level = parseCompatibilityLevel((await body())['compatibility']);
        store.setSubjectLevel(subject, level);
        return { status: 200, body: { compatibility: level } };
      },
      true,
    ),
    route(
      'DELETE',
      `/config/${s}`,
      ([subject = '']) => ({ status: 200, body: { compatibilityLevel: store.deleteSubjectLevel(subject) } }),
      true,
    ),
  ];
}

/**
 * createRegistryServer returns an HTTP server (not yet listening) speaking the subset of the
 * Confluent Schema Registry REST API described in docs/local-stack.md, backed by `store`.
 * After every successful mutation it awaits `persist()` before answering, so an acknowledged
 * registration survives a restart. Errors answer with Confluent's `{error_code, message}` bodies.
 * DEV/TEST ONLY: no authentication, no schema references, AVRO only.
 */
export function createRegistryServer(
  store: RegistryStore,
  persist: () => Promise<void>,
  logger: Logger,
): Server {
  const table = routes(store);
  let queue: Promise<unknown> = Promise.resolve();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://registry');
    const path = url.pathname.replace(/\/+$/, '');
    const method = request.method ?? 'GET';
    let reply: Reply;
    try {
      const candidates = table.filter((r) => r.pattern.test(path));
      const chosen = candidates.find((r) => r.method === method);
      if (!chosen) {
        throw candidates.length > 0
          ? new RegistryError('methodNotAllowed', 'HTTP 405 Method Not Allowed')
          : new RegistryError('notFound', 'HTTP 404 Not Found');
      }
      const match = (chosen.pattern.exec(path) ?? []).slice(1).map((part) => decodeURIComponent(part));
      const run = async (): Promise<Reply> => {
        const result = await chosen.handler(match, () => readJson(request), url.searchParams);
        if (chosen.mutates) await persist();
        return result;
      };
      // Mutations run one at a time so that the id order and the persisted file agree.
      if (chosen.mutates) {
        const next = queue.then(run, run);
        queue = next.catch(() => undefined);
        reply = await next;
      } else {
        reply = await run();
      }
    } catch (error) {
      if (error instanceof RegistryError) {
        reply = { status: error.httpStatus, body: error.body() };
      } else {
        logger.error({ err: error, method, path }, 'schema registry request failed');
        reply = { status: 500, body: { error_code: 50001, message: 'Error in the backend data store' } };
      }
    }
    logger.debug({ method, path, status: reply.status }, 'schema registry request');
    const text = JSON.stringify(reply.body);
    response.writeHead(reply.status, {
      'content-type': CONTENT_TYPE,
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  };

  return createServer((request, response) => {
    void handle(request, response);
  });
}
