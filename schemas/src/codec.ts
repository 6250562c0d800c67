import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { topicContracts, topicIds, type TopicId, type TopicValues } from './topic-contracts.ts';

/** schemasDir is the absolute path of the folder holding the `.avsc` files. */
export const schemasDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * TopicCodec is the Avro value schema of one topic with typed encode/decode (plain Avro binary,
 * no Confluent framing: the schema-registry serde adds the magic byte and schema id).
 */
export interface TopicCodec<T> {
  /** The schema file's text, exactly as committed: register this text, not avsc's re-serialisation. */
  readonly schemaText: string;
  /** The parsed schema JSON. */
  readonly schema: avro.Schema;
  /** The avsc type; `timestamp-millis` is read as its underlying `long`, i.e. a number. */
  readonly type: avro.Type;
  /** encode throws when `value` does not match the schema (avsc names the offending path). */
  encode(value: T): Buffer;
  /** decode reads a value written with this exact schema. */
  decode(buffer: Buffer): T;
  /**
   * isValid tells whether `value` can be encoded: no undeclared field, no missing field unless
   * the schema gives it a default (nullable fields default to null), every long a safe integer.
   */
  isValid(value: unknown): value is T;
}

/** SchemaSet maps each topic id to its typed codec. */
export type SchemaSet = { readonly [K in TopicId]: TopicCodec<TopicValues[K]> };

/**
 * readSchemaText returns the committed text of a topic's value schema file. Throws when the file
 * is missing.
 */
export function readSchemaText(id: TopicId): string {
  return readFileSync(new URL(`../${topicContracts[id].schemaFile}`, import.meta.url), 'utf8');
}

/**
 * createCodec parses one Avro schema text into a typed codec. Logical types are deliberately not
 * registered with avsc: `timestamp-millis` stays a `long` decoded as a `number` of epoch
 * milliseconds, which is the TypeScript contract (other languages still see the logical type).
 */
export function createCodec<T>(schemaText: string): TopicCodec<T> {
  const schema = JSON.parse(schemaText) as avro.Schema;
  const type = avro.Type.forSchema(schema);
  return {
    schemaText,
    schema,
    type,
    encode: (value) => type.toBuffer(value),
    decode: (buffer) => type.fromBuffer(buffer) as T,
    isValid: (value): value is T => type.isValid(value, { noUndeclaredFields: true }),
  };
}

let cached: SchemaSet | undefined;

/**
 * loadSchemas reads and parses every topic's value schema once and returns the typed codecs.
 * Throws if a schema file is missing or is not valid Avro (a packaging bug, not a runtime input).
 */
export function loadSchemas(): SchemaSet {
  if (cached === undefined) {
    const entries = topicIds.map((id) => [id, createCodec(readSchemaText(id))] as const);
    cached = Object.freeze(Object.fromEntries(entries)) as SchemaSet;
  }
  return cached;
}
