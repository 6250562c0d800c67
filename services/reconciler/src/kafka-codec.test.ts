import avro from 'avsc';
import { describe, expect, it, vi } from 'vitest';
import { DriftlineError } from '@driftline/shared/errors';
import { createAvroSerde, type ConsumedRecord, type SchemaRegistryClient } from '@driftline/shared/kafka';
import * as keys from '@driftline/shared/keys';
import { decodeInput, toDeadLetter } from './kafka-codec.ts';
import { desiredRecord, observedRecord, TEST_KEY } from './test-records.ts';

// The real key parser, counted: decodeInput parses a key once while it remembers it as valid.
vi.mock('@driftline/shared/keys', async (importOriginal) => {
  const original = await importOriginal<typeof keys>();
  return { ...original, safeParseKey: vi.fn(original.safeParseKey) };
});

function fakeRegistry(): SchemaRegistryClient {
  const types = new Map<number, avro.Type>();
  return {
    async register(schema) {
      const id = types.size + 1;
      types.set(id, avro.Type.forSchema(JSON.parse(schema.schema) as avro.Schema));
      return { id };
    },
    async getSchema(id) {
      const type = types.get(id);
      if (type === undefined) throw Object.assign(new Error('not found'), { status: 404 });
      return type;
    },
  };
}

const serde = createAvroSerde({ schemaRegistryUrl: 'http://unused', registry: fakeRegistry() });
const record = (
  key: string | null,
  value: Buffer | null,
  topic = 'driftline.desired.v1',
): ConsumedRecord => ({
  topic,
  partition: 1,
  offset: '42',
  key,
  value,
  headers: {},
  timestampMs: 5,
});

describe('decodeInput', () => {
  it('decodes upserts and tombstones of both sides', async () => {
    const desired = await decodeInput(
      'desired',
      record(TEST_KEY, await serde.encode('desired', desiredRecord())),
      serde,
    );
    expect(desired).toMatchObject({ ok: true, input: { type: 'desired', change: { key: TEST_KEY } } });
    const observed = await decodeInput(
      'observed',
      record(TEST_KEY, await serde.encode('observed', observedRecord())),
      serde,
    );
    expect(observed).toMatchObject({ ok: true, input: { type: 'observed', change: { key: TEST_KEY } } });
    expect(await decodeInput('observed', record(TEST_KEY, null), serde)).toEqual({
      ok: true,
      input: { type: 'observed', change: { key: TEST_KEY, value: null } },
    });
  });

  it('refuses a missing key, an invalid key, an undecodable value and a value filed under another key', async () => {
    const value = await serde.encode('desired', desiredRecord());
    const codes = [];
    for (const r of [
      record(null, value),
      record('a/b', value),
      record(TEST_KEY, Buffer.from([0, 0, 0, 0, 99, 1])),
      record('p/n/MongoDB/other', value),
    ]) {
      const decoded = await decodeInput('desired', r, serde);
      codes.push(decoded.ok ? 'ok' : decoded.error.code);
    }
    expect(codes).toEqual(['KEY_INVALID', 'KEY_INVALID', 'SERDE_FAILED', 'INPUT_INVALID']);
  });

  it('parses a key once and remembers it as valid; an invalid key is refused every time', async () => {
    const key = 'p/n/MongoDB/remembered';
    const value = await serde.encode('desired', desiredRecord({}, key));
    const parse = vi.mocked(keys.safeParseKey);
    parse.mockClear();
    for (let i = 0; i < 3; i++)
      expect((await decodeInput('desired', record(key, value), serde)).ok).toBe(true);
    expect(parse.mock.calls.filter(([k]) => k === key)).toHaveLength(1);
    for (let i = 0; i < 2; i++)
      expect((await decodeInput('desired', record('x/y', value), serde)).ok).toBe(false);
  });

  it('rejects (retry, not dead letter) when the failure is retryable', async () => {
    const failing = {
      decode: async () => {
        throw new DriftlineError('NETWORK_UNAVAILABLE', 'registry down');
      },
    };
    await expect(decodeInput('desired', record(TEST_KEY, Buffer.from([0])), failing)).rejects.toMatchObject({
      code: 'NETWORK_UNAVAILABLE',
    });
  });

  it('toDeadLetter keeps the position, the raw bytes and the reason', () => {
    const letter = toDeadLetter(
      record(TEST_KEY, Buffer.from('raw')),
      new DriftlineError('SERDE_FAILED', 'bad bytes'),
      7,
    );
    expect(letter).toEqual({
      originalTopic: 'driftline.desired.v1',
      partition: 1,
      offset: '42',
      key: Buffer.from(TEST_KEY),
      value: Buffer.from('raw'),
      errorCode: 'SERDE_FAILED',
      errorMessage: 'bad bytes',
      retryable: false,
      attempts: 1,
      service: 'reconciler',
      failedAtMs: 7,
    });
  });
});
