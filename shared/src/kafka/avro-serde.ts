import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
// The client's error classes are not re-exported from its entry point; the package has no
// `exports` map, so this path is as stable as the pinned version.
import { ConfluentSchemaRegistryError } from '@kafkajs/confluent-schema-registry/dist/errors.js';
import type avro from 'avsc';
import { loadSchemas, topicIds, topicContracts, type TopicId, type TopicValues } from '@driftline/schemas';
import { DriftlineError, type DriftlineErrorCode } from '@driftline/shared/errors';
import { decodeFrame, FrameEncoder } from './confluent-frame.ts';

/**
 * SchemaRegistryClient is the part of `@kafkajs/confluent-schema-registry`'s client the serde
 * uses; tests pass an in-memory fake.
 */
export interface SchemaRegistryClient {
  register(
    schema: { type: SchemaType.AVRO; schema: string },
    options: { subject: string; compatibility: COMPATIBILITY },
  ): Promise<{ id: number }>;
  getSchema(id: number): Promise<unknown>;
}

/** AvroSerdeOptions: the registry URL and, per topic id, the Kafka topic name (default: contract's). */
export interface AvroSerdeOptions {
  readonly schemaRegistryUrl: string;
  /** An already built registry client (tests); when absent one is built from the URL. */
  readonly registry?: SchemaRegistryClient;
  readonly clientId?: string;
  readonly topicNames?: Partial<Readonly<Record<TopicId, string>>>;
  /** Basic auth for a hosted registry; never logged. */
  readonly auth?: { readonly username: string; readonly password: string };
}

/**
 * AvroSerde encodes and decodes topic values in Confluent framing (magic byte 0, 4-byte
 * big-endian schema id, Avro binary). Values are typed by topic id; `null` is a tombstone and
 * passes through as `null` both ways.
 */
export interface AvroSerde {
  /** subjectFor names the registry subject of a topic's values: `<topic name>-value` (TopicNameStrategy). */
  subjectFor(id: TopicId): string;
  /**
   * register registers the committed value schema of every topic (or of `ids`) under its subject
   * with BACKWARD compatibility, and caches the ids. Idempotent: re-registering an identical
   * schema returns the same id. Rejects with SCHEMA_INCOMPATIBLE when the registry refuses the
   * schema, NETWORK_UNAVAILABLE (retryable) when it cannot be reached.
   */
  register(ids?: readonly TopicId[]): Promise<ReadonlyMap<TopicId, number>>;
  /** encode frames a value with its topic's registered schema id (registering on first use). */
  encode<K extends TopicId>(id: K, value: TopicValues[K] | null): Promise<Buffer | null>;
  /**
   * decode reads a framed value written with any registered schema of the topic, resolving the
   * writer schema into the committed reader schema (backward-compatible evolution). A malformed
   * frame, unknown schema id or unreadable payload rejects with SERDE_FAILED (not retryable: the
   * record goes to the dead-letter topic); an unreachable registry with NETWORK_UNAVAILABLE.
   */
  decode<K extends TopicId>(id: K, buffer: Buffer | null): Promise<TopicValues[K] | null>;
}

interface HttpError {
  readonly status: number;
  readonly message: string;
}

function isHttpError(error: unknown): error is HttpError {
  return error instanceof Error && typeof (error as { status?: unknown }).status === 'number';
}

// The registry client (mappersmith) reports network failures as status 400; the registry itself
// answers 404 (unknown subject/id), 409 (incompatible) and 422 (invalid schema). Only those three,
// and the client's own verdicts (e.g. the subject's compatibility level is not BACKWARD), are
// about the schema; everything else may succeed later.
function registryError(error: unknown, action: string, permanentCode: DriftlineErrorCode): DriftlineError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ConfluentSchemaRegistryError) {
    return new DriftlineError(permanentCode, `${action}: ${message}`, { cause: error, retryable: false });
  }
  if (isHttpError(error) && (error.status === 404 || error.status === 409 || error.status === 422)) {
    const code = error.status === 404 ? permanentCode : 'SCHEMA_INCOMPATIBLE';
    return new DriftlineError(code, `${action}: ${message}`, { cause: error, retryable: false });
  }
  if (isHttpError(error) && (error.status === 401 || error.status === 403)) {
    return new DriftlineError('CONFIG_INVALID', `${action}: schema registry refused the credentials`, {
      cause: error,
    });
  }
  return new DriftlineError('NETWORK_UNAVAILABLE', `${action}: ${message}`, {
    cause: error,
    retryable: true,
  });
}

/**
 * createAvroSerde builds the serde over `@kafkajs/confluent-schema-registry` (REST client, id and
 * schema caches) and the committed schemas from `@driftline/schemas`. Writer schemas fetched by
 * id are cached by the client; reader/writer resolvers are cached here per schema id.
 */
export function createAvroSerde(options: AvroSerdeOptions): AvroSerde {
  const registry: SchemaRegistryClient =
    options.registry ??
    new SchemaRegistry({
      host: options.schemaRegistryUrl,
      clientId: options.clientId ?? 'driftline',
      ...(options.auth === undefined
        ? {}
        : { auth: { username: options.auth.username, password: options.auth.password } }),
    });
  const schemas = loadSchemas();
  const ids = new Map<TopicId, Promise<number>>();
  // The registered ids and the resolvers, once known, are read synchronously: encode and decode
  // run per record, and an await (and a `topic\0id` string) per record showed in profiles.
  const registered = new Map<TopicId, number>();
  const resolvers = new Map<TopicId, Map<number, avro.Resolver | null>>();
  const frames = new FrameEncoder();

  const topicName = (id: TopicId): string => options.topicNames?.[id] ?? topicContracts[id].defaultName;
  const subjectFor = (id: TopicId): string => `${topicName(id)}-value`;

  const registerOne = (id: TopicId): Promise<number> => {
    let pending = ids.get(id);
    if (pending === undefined) {
      pending = registry
        .register(
          { type: SchemaType.AVRO, schema: schemas[id].schemaText },
          { subject: subjectFor(id), compatibility: COMPATIBILITY.BACKWARD },
        )
        .then(
          (result) => {
            registered.set(id, result.id);
            return result.id;
          },
          (error: unknown) => {
            ids.delete(id);
            throw registryError(error, `registering ${subjectFor(id)}`, 'SCHEMA_INCOMPATIBLE');
          },
        );
      ids.set(id, pending);
    }
    return pending;
  };

  // A resolver reads bytes written with the writer schema as the reader (committed) schema; null
  // means the two are the same schema and no resolution is needed.
  const fetchResolver = async (id: TopicId, schemaId: number): Promise<avro.Resolver | null> => {
    let writer: avro.Type;
    try {
      // For AVRO the client returns the avsc Type it parsed (same avsc module as ours).
      writer = (await registry.getSchema(schemaId)) as avro.Type;
    } catch (error) {
      throw registryError(error, `fetching schema id ${schemaId}`, 'SERDE_FAILED');
    }
    const reader = schemas[id].type;
    let resolver: avro.Resolver | null;
    try {
      resolver = reader.equals(writer) ? null : reader.createResolver(writer);
    } catch (error) {
      throw new DriftlineError(
        'SCHEMA_INCOMPATIBLE',
        `schema id ${schemaId} cannot be read as ${topicContracts[id].recordName}`,
        {
          cause: error,
          details: { schemaId },
        },
      );
    }
    let ofTopic = resolvers.get(id);
    if (ofTopic === undefined) {
      ofTopic = new Map();
      resolvers.set(id, ofTopic);
    }
    ofTopic.set(schemaId, resolver);
    return resolver;
  };

  return {
    subjectFor,

    async register(only?: readonly TopicId[]): Promise<ReadonlyMap<TopicId, number>> {
      const wanted = only ?? topicIds;
      const registered = await Promise.all(wanted.map(async (id) => [id, await registerOne(id)] as const));
      return new Map(registered);
    },

    async encode<K extends TopicId>(id: K, value: TopicValues[K] | null): Promise<Buffer | null> {
      if (value === null) return null;
      const schemaId = registered.get(id) ?? (await registerOne(id));
      try {
        return frames.encode(schemaId, schemas[id].type, value);
      } catch (error) {
        throw new DriftlineError(
          'SERDE_FAILED',
          `value does not match ${topicContracts[id].recordName}: ${String(error)}`,
          {
            cause: error,
          },
        );
      }
    },

    async decode<K extends TopicId>(id: K, buffer: Buffer | null): Promise<TopicValues[K] | null> {
      if (buffer === null) return null;
      const frame = decodeFrame(buffer);
      // null is a known resolver (the writer schema is the reader's): only undefined is unknown.
      const known = resolvers.get(id)?.get(frame.schemaId);
      const resolver = known === undefined ? await fetchResolver(id, frame.schemaId) : known;
      try {
        const reader = schemas[id].type;
        return (
          resolver === null ? reader.fromBuffer(frame.payload) : reader.fromBuffer(frame.payload, resolver)
        ) as TopicValues[K];
      } catch (error) {
        throw new DriftlineError(
          'SERDE_FAILED',
          `cannot decode ${topicName(id)} value with schema id ${frame.schemaId}`,
          {
            cause: error,
            details: { schemaId: frame.schemaId },
          },
        );
      }
    },
  };
}
