import { readBsonFields, type BsonField } from './bson-fields.ts';
import { SOURCE_FIELD_RULES, type DatabaseDocument } from './source-document.ts';

type Quantity = string | null;

const { providerId, label, kind, version, replicas, quantity } = SOURCE_FIELD_RULES;

// undefined = "not the common shape": the caller falls back to the zod schema.
const NOT_COMMON = undefined;

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isLabel(value: unknown): value is string {
  return typeof value === 'string' && value.length <= label.maxLength && label.pattern.test(value);
}

// A quantity field of the common shape: absent, null, or a string whose trimmed text is a
// quantity. Numbers (which zod turns into their decimal text) are left to zod.
function quantityOf(value: unknown): Quantity | typeof NOT_COMMON {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > quantity.maxLength) return NOT_COMMON;
  const trimmed = value.trim();
  return quantity.pattern.test(trimmed) ? trimmed : NOT_COMMON;
}

function pairOf(value: unknown): { cpu: Quantity; memory: Quantity } | typeof NOT_COMMON {
  if (value === undefined || value === null) return { cpu: null, memory: null };
  if (!isPlainObject(value)) return NOT_COMMON;
  const cpu = quantityOf(value['cpu']);
  const memory = quantityOf(value['memory']);
  return cpu === NOT_COMMON || memory === NOT_COMMON ? NOT_COMMON : { cpu, memory };
}

/**
 * parseCommonDatabaseDocument accepts the common shape of a `databases` document — `kind` (not
 * `engine`), string quantities, plain-object sub-documents — checked field by field with the same
 * rules as `databaseDocumentSchema`, and returns what that schema would return for it. For any
 * other document it returns undefined and the schema decides (and words the rejection). Why: the
 * schema's generic walk was a tenth of the snapshot's CPU profile; this is a few comparisons and
 * the same regular expressions. The unit tests hold it to the schema's result on generated
 * documents.
 */
export function parseCommonDatabaseDocument(raw: unknown): DatabaseDocument | undefined {
  if (!isPlainObject(raw)) return NOT_COMMON;
  const doc = raw;
  const provider = doc['provider'];
  if (
    typeof provider !== 'string' ||
    provider.length > providerId.maxLength ||
    !providerId.pattern.test(provider)
  )
    return NOT_COMMON;
  const namespace = doc['namespace'];
  const name = doc['name'];
  if (!isLabel(namespace) || !isLabel(name)) return NOT_COMMON;
  const kindValue = doc['kind'];
  if (typeof kindValue !== 'string' || !kind.pattern.test(kindValue) || doc['engine'] !== undefined)
    return NOT_COMMON;
  const versionValue = doc['version'];
  if (
    typeof versionValue !== 'string' ||
    versionValue.length === 0 ||
    versionValue.length > version.maxLength
  )
    return NOT_COMMON;
  const replicasValue = doc['replicas'];
  if (
    typeof replicasValue !== 'number' ||
    !Number.isInteger(replicasValue) ||
    replicasValue < 0 ||
    replicasValue > replicas.max
  )
    return NOT_COMMON;
  const storage = quantityOf(doc['storage']);
  if (storage === NOT_COMMON) return NOT_COMMON;
  const resourcesValue = doc['resources'];
  let requests: { cpu: Quantity; memory: Quantity } | undefined = { cpu: null, memory: null };
  let limits: { cpu: Quantity; memory: Quantity } | undefined = { cpu: null, memory: null };
  if (resourcesValue !== undefined && resourcesValue !== null) {
    if (!isPlainObject(resourcesValue)) return NOT_COMMON;
    requests = pairOf(resourcesValue['requests']);
    limits = pairOf(resourcesValue['limits']);
    if (requests === NOT_COMMON || limits === NOT_COMMON) return NOT_COMMON;
  }
  const halted = doc['halted'];
  if (halted !== undefined && halted !== null && typeof halted !== 'boolean') return NOT_COMMON;
  const generation = doc['generation'];
  if (
    generation !== undefined &&
    generation !== null &&
    (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 0)
  )
    return NOT_COMMON;
  const updatedAt = doc['updatedAt'];
  let updatedAtMs: number | null = null;
  if (updatedAt !== undefined && updatedAt !== null) {
    if (!(updatedAt instanceof Date) || Number.isNaN(updatedAt.getTime())) return NOT_COMMON;
    updatedAtMs = updatedAt.getTime();
  }
  return {
    provider,
    namespace,
    kind: kindValue,
    name,
    version: versionValue,
    replicas: replicasValue,
    storage,
    resources: { requests, limits },
    halted: halted ?? false,
    generation: generation ?? null,
    updatedAtMs,
  };
}

const pairFields: readonly BsonField[] = [{ name: 'cpu' }, { name: 'memory' }];

// Every field parseCommonDatabaseDocument reads, and nothing else.
const DATABASE_FIELDS: readonly BsonField[] = [
  { name: 'provider' },
  { name: 'namespace' },
  { name: 'name' },
  { name: 'kind' },
  { name: 'engine' },
  { name: 'version' },
  { name: 'replicas' },
  { name: 'storage' },
  {
    name: 'resources',
    fields: [
      { name: 'requests', fields: pairFields },
      { name: 'limits', fields: pairFields },
    ],
  },
  { name: 'halted' },
  { name: 'generation' },
  { name: 'updatedAt' },
];

/**
 * parseCommonDatabaseBson is parseCommonDatabaseDocument read straight from the document's BSON:
 * only the fields it checks are decoded (readBsonFields), so the common shape is accepted
 * without decoding the whole document. Undefined means "decode it and ask the schema", as there.
 */
export function parseCommonDatabaseBson(bson: Buffer): DatabaseDocument | undefined {
  const fields = readBsonFields(bson, DATABASE_FIELDS);
  return fields === undefined ? NOT_COMMON : parseCommonDatabaseDocument(fields);
}
