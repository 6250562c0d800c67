import avro from 'avsc';
import { describe, expect, it, vi } from 'vitest';
import { loadSchemas, type ProviderHealth } from '@driftline/schemas';
import { DriftlineError } from '@driftline/shared/errors';
import { createAvroSerde, type SchemaRegistryClient } from './avro-serde.ts';
import { ConfluentSchemaRegistryCompatibilityError } from '@kafkajs/confluent-schema-registry/dist/errors.js';
import { encodeFrame } from './confluent-frame.ts';

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** An in-memory registry: ids by (subject, schema text), avsc types by id, scripted failures. */
function fakeRegistry() {
  const bySubjectAndText = new Map<string, number>();
  const types = new Map<number, avro.Type>();
  const subjects: string[] = [];
  let failNext: Error | null = null;
  const client: SchemaRegistryClient & { add(schema: avro.Schema): number } = {
    async register(schema, options) {
      if (failNext) {
        const error = failNext;
        failNext = null;
        throw error;
      }
      subjects.push(options.subject);
      const key = `${options.subject}\u0000${schema.schema}`;
      const existing = bySubjectAndText.get(key);
      if (existing !== undefined) return { id: existing };
      const id = client.add(JSON.parse(schema.schema) as avro.Schema);
      bySubjectAndText.set(key, id);
      return { id };
    },
    async getSchema(id) {
      if (failNext) {
        const error = failNext;
        failNext = null;
        throw error;
      }
      const type = types.get(id);
      if (type === undefined) throw new HttpError(404, `Schema ${id} not found`);
      return type;
    },
    add(schema) {
      const id = types.size + 1;
      types.set(id, avro.Type.forSchema(schema));
      return id;
    },
  };
  return { client, subjects, failWith: (error: Error) => (failNext = error) };
}

const health: ProviderHealth = {
  provider: 'prov-1',
  watcherId: 'watcher-0',
  connected: true,
  circuit: 'closed',
  lastEventAtMs: 1_764_000_000_000,
  lastBookmarkAtMs: null,
  relists: 2,
  gones: 0,
  lastResyncAtMs: null,
  reportedAtMs: 1_764_000_000_003,
};

async function rejection(promise: Promise<unknown>): Promise<DriftlineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DriftlineError);
  return error as DriftlineError;
}

describe('createAvroSerde', () => {
  it('round-trips a value through Confluent framing and registers <topic>-value once', async () => {
    const registry = fakeRegistry();
    const serde = createAvroSerde({ schemaRegistryUrl: 'http://unused', registry: registry.client });
    const first = await serde.encode('providerHealth', health);
    const second = await serde.encode('providerHealth', health);
    expect(first?.[0]).toBe(0);
    expect(first?.readInt32BE(1)).toBe(1);
    expect(await serde.decode('providerHealth', first)).toEqual(health);
    expect(second).toEqual(first);
    expect(registry.subjects).toEqual(['driftline.provider-health.v1-value']);
  });

  it('uses overridden topic names for subjects', async () => {
    const registry = fakeRegistry();
    const serde = createAvroSerde({
      schemaRegistryUrl: 'http://unused',
      registry: registry.client,
      topicNames: { drift: 'team.drift' },
    });
    expect(serde.subjectFor('drift')).toBe('team.drift-value');
    const ids = await serde.register(['drift', 'desired']);
    expect([...ids.keys()]).toEqual(['drift', 'desired']);
    expect(registry.subjects.sort()).toEqual(['driftline.desired.v1-value', 'team.drift-value']);
  });

  it('passes tombstones through as null both ways', async () => {
    const serde = createAvroSerde({ schemaRegistryUrl: 'http://unused', registry: fakeRegistry().client });
    expect(await serde.encode('desired', null)).toBeNull();
    expect(await serde.decode('desired', null)).toBeNull();
  });

  it('reads a value written with an older writer schema that had an extra field', async () => {
    const registry = fakeRegistry();
    const reader = loadSchemas().providerHealth.schema as { fields: unknown[] };
    const writerSchema = { ...reader, fields: [...reader.fields, { name: 'legacyZone', type: 'string' }] };
    const writerId = registry.client.add(writerSchema as avro.Schema);
    const payload = avro.Type.forSchema(writerSchema as avro.Schema).toBuffer({
      ...health,
      legacyZone: 'eu-1',
    });
    const serde = createAvroSerde({ schemaRegistryUrl: 'http://unused', registry: registry.client });
    expect(await serde.decode('providerHealth', encodeFrame(writerId, payload))).toEqual(health);
  });

  it('fetches each writer schema once, also when it is the reader schema itself', async () => {
    const registry = fakeRegistry();
    const getSchema = vi.spyOn(registry.client, 'getSchema');
    const serde = createAvroSerde({ schemaRegistryUrl: 'http://unused', registry: registry.client });
    const framed = await serde.encode('providerHealth', health);
    for (let i = 0; i < 3; i++) expect(await serde.decode('providerHealth', framed)).toEqual(health);
    expect(getSchema).toHaveBeenCalledTimes(1);
  });

  it('rejects garbage and unknown schema ids as SERDE_FAILED (dead-letter, not retryable)', async () => {
    const registry = fakeRegistry();
    const serde = createAvroSerde({ schemaRegistryUrl: 'http://unused', registry: registry.client });
    const framed = await serde.encode('providerHealth', health);
    if (framed === null) throw new Error('expected a framed value');
    const truncated = framed.subarray(0, 8);
    for (const bad of [Buffer.from('not avro'), encodeFrame(999, Buffer.from([1])), truncated]) {
      const error = await rejection(serde.decode('providerHealth', bad));
      expect(error.code).toBe('SERDE_FAILED');
      expect(error.retryable).toBe(false);
    }
  });

  it('rejects a schema the writer cannot be resolved from as SCHEMA_INCOMPATIBLE', async () => {
    const registry = fakeRegistry();
    const otherId = registry.client.add({
      type: 'record',
      name: 'Other',
      fields: [{ name: 'x', type: 'int' }],
    });
    const serde = createAvroSerde({ schemaRegistryUrl: 'http://unused', registry: registry.client });
    const error = await rejection(serde.decode('providerHealth', encodeFrame(otherId, Buffer.from([2]))));
    expect(error.code).toBe('SCHEMA_INCOMPATIBLE');
  });

  it('maps an unreachable registry to a retryable error and an incompatible schema to a permanent one', async () => {
    const registry = fakeRegistry();
    const serde = createAvroSerde({ schemaRegistryUrl: 'http://unused', registry: registry.client });
    registry.failWith(new HttpError(400, 'connect ECONNREFUSED 127.0.0.1:8081'));
    const down = await rejection(serde.register(['drift']));
    expect(down.code).toBe('NETWORK_UNAVAILABLE');
    expect(down.retryable).toBe(true);
    registry.failWith(new HttpError(409, 'Schema being registered is incompatible'));
    const refused = await rejection(serde.register(['drift']));
    expect(refused.code).toBe('SCHEMA_INCOMPATIBLE');
    expect(refused.retryable).toBe(false);
    registry.failWith(
      new ConfluentSchemaRegistryCompatibilityError('Compatibility does not match (BACKWARD != FULL)'),
    );
    const mismatched = await rejection(serde.register(['drift']));
    expect(mismatched).toMatchObject({ code: 'SCHEMA_INCOMPATIBLE', retryable: false });
    // A failed registration is not cached: the next attempt registers.
    expect((await serde.register(['drift'])).get('drift')).toBe(1);
  });

  it('refuses to encode a value that does not match the schema', async () => {
    const serde = createAvroSerde({ schemaRegistryUrl: 'http://unused', registry: fakeRegistry().client });
    const error = await rejection(
      serde.encode('providerHealth', { ...health, relists: 'many' } as unknown as ProviderHealth),
    );
    expect(error.code).toBe('SERDE_FAILED');
  });
});
