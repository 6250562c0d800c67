import type { AddressInfo } from 'node:net';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_TYPE, createRegistryServer } from './registry-server.ts';
import { RegistryStore } from './registry-store.ts';

const desired = {
  type: 'record',
  name: 'DesiredDatabase',
  namespace: 'driftline',
  fields: [
    { name: 'key', type: 'string' },
    { name: 'replicas', type: 'int' },
  ],
};

describe('schema registry stand-in over HTTP', () => {
  let url: string;
  let persisted = 0;
  const server = createRegistryServer(
    new RegistryStore(),
    async () => {
      persisted += 1;
    },
    pino({ level: 'silent' }),
  );

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; type: string | null; json: unknown }> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': CONTENT_TYPE },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      json: await response.json(),
    };
  };

  it('registers, dedupes and serves schemas with Confluent bodies and content type', async () => {
    const registered = await call('POST', '/subjects/raw-value/versions', {
      schema: JSON.stringify(desired),
    });
    expect(registered).toMatchObject({ status: 200, type: CONTENT_TYPE, json: { id: expect.any(Number) } });
    const { id } = registered.json as { id: number };
    expect(
      (await call('POST', '/subjects/raw-value/versions', { schema: JSON.stringify(desired) })).json,
    ).toEqual({ id });
    expect(persisted).toBeGreaterThanOrEqual(2);

    expect((await call('GET', `/schemas/ids/${id}`)).json).toEqual({ schema: JSON.stringify(desired) });
    expect((await call('GET', '/subjects')).json).toEqual(expect.arrayContaining(['raw-value']));
    expect((await call('GET', '/subjects/raw-value/versions')).json).toEqual([1]);
    expect((await call('GET', '/subjects/raw-value/versions/latest')).json).toEqual({
      subject: 'raw-value',
      id,
      version: 1,
      schema: JSON.stringify(desired),
    });
    expect(
      (await call('POST', '/subjects/raw-value', { schema: JSON.stringify(desired) })).json,
    ).toMatchObject({ id, version: 1 });
  });

  it('answers compatibility checks and config changes', async () => {
    const withDefault = {
      ...desired,
      fields: [...desired.fields, { name: 'halted', type: 'boolean', default: false }],
    };
    const withoutDefault = { ...desired, fields: [...desired.fields, { name: 'halted', type: 'boolean' }] };
    await call('POST', '/subjects/compat-value/versions', { schema: JSON.stringify(desired) });
    expect(
      (
        await call('POST', '/compatibility/subjects/compat-value/versions/latest', {
          schema: JSON.stringify(withDefault),
        })
      ).json,
    ).toEqual({ is_compatible: true });
    expect(
      (
        await call('POST', '/compatibility/subjects/compat-value/versions/1', {
          schema: JSON.stringify(withoutDefault),
        })
      ).json,
    ).toEqual({ is_compatible: false });
    expect(
      await call('POST', '/subjects/compat-value/versions', { schema: JSON.stringify(withoutDefault) }),
    ).toMatchObject({ status: 409, json: { error_code: 409 } });

    expect((await call('GET', '/config')).json).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect(await call('GET', '/config/compat-value')).toMatchObject({
      status: 404,
      json: { error_code: 40408 },
    });
    expect((await call('PUT', '/config/compat-value', { compatibility: 'NONE' })).json).toEqual({
      compatibility: 'NONE',
    });
    expect((await call('GET', '/config/compat-value')).json).toEqual({ compatibilityLevel: 'NONE' });
    expect(
      await call('POST', '/subjects/compat-value/versions', { schema: JSON.stringify(withoutDefault) }),
    ).toMatchObject({ status: 200 });
    expect(await call('PUT', '/config', { compatibility: 'WHATEVER' })).toMatchObject({
      status: 422,
      json: { error_code: 42203 },
    });
  });

  it('returns Confluent errors for unknown things and bad input', async () => {
    expect(await call('GET', '/subjects/missing/versions')).toMatchObject({
      status: 404,
      type: CONTENT_TYPE,
      json: { error_code: 40401, message: expect.any(String) },
    });
    expect(await call('GET', '/schemas/ids/424242')).toMatchObject({
      status: 404,
      json: { error_code: 40403 },
    });
    expect(await call('POST', '/subjects/bad-value/versions', { schema: '{"type":"record"}' })).toMatchObject(
      { status: 422, json: { error_code: 42201 } },
    );
    expect(await call('GET', '/nope')).toMatchObject({ status: 404, json: { error_code: 404 } });
    expect(await call('DELETE', '/subjects/raw-value')).toMatchObject({ status: 200, json: [1] });
    expect((await call('GET', '/subjects')).json).not.toContain('raw-value');
  });

  it('works with @kafkajs/confluent-schema-registry: register, encode, decode (Confluent framing)', async () => {
    const registry = new SchemaRegistry({ host: url });
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify({ ...desired, name: 'ClientDesired' }) },
      { subject: 'client-value' },
    );
    const encoded = await registry.encode(id, { key: 'p/ns/MongoDB/a', replicas: 3 });
    expect(encoded[0]).toBe(0); // magic byte
    expect(encoded.readInt32BE(1)).toBe(id);
    // A fresh client knows nothing: decoding fetches the schema by id from the registry.
    expect(await new SchemaRegistry({ host: url }).decode(encoded)).toEqual({
      key: 'p/ns/MongoDB/a',
      replicas: 3,
    });
    expect(await registry.getLatestSchemaId('client-value')).toBe(id);
    // The client set the subject's level on first registration, as against Confluent.
    expect((await call('GET', '/config/client-value')).json).toEqual({ compatibilityLevel: 'BACKWARD' });
  });
});
