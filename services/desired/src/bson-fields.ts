/**
 * BsonField names a field to read from a raw BSON document; `fields`, when given, reads the field
 * as an embedded document of those fields (anything else under that name is not read).
 */
export interface BsonField {
  readonly name: string;
  readonly fields?: readonly BsonField[];
}

// BSON element types (bsonspec.org) this reader decodes or steps over.
const DOUBLE = 0x01;
const STRING = 0x02;
const DOCUMENT = 0x03;
const ARRAY = 0x04;
const BINARY = 0x05;
const UNDEFINED = 0x06;
const OBJECT_ID = 0x07;
const BOOLEAN = 0x08;
const DATE = 0x09;
const NULL = 0x0a;
const REGEX = 0x0b;
const DB_POINTER = 0x0c;
const CODE = 0x0d;
const SYMBOL = 0x0e;
const CODE_WITH_SCOPE = 0x0f;
const INT32 = 0x10;
const TIMESTAMP = 0x11;
const INT64 = 0x12;
const DECIMAL128 = 0x13;
const MIN_KEY = 0xff;
const MAX_KEY = 0x7f;
const DOLLAR = 0x24;

// The value's length in bytes from `at`, or -1 for an unknown type or a value past `end`.
function valueLength(bson: Buffer, type: number, at: number, end: number): number {
  let length: number;
  switch (type) {
    case UNDEFINED:
    case NULL:
    case MIN_KEY:
    case MAX_KEY:
      length = 0;
      break;
    case BOOLEAN:
      length = 1;
      break;
    case INT32:
      length = 4;
      break;
    case DOUBLE:
    case DATE:
    case TIMESTAMP:
    case INT64:
      length = 8;
      break;
    case OBJECT_ID:
      length = 12;
      break;
    case DECIMAL128:
      length = 16;
      break;
    case STRING:
    case CODE:
    case SYMBOL:
      length = 4 + sizeAt(bson, at, end, 1);
      break;
    case DB_POINTER:
      length = 4 + sizeAt(bson, at, end, 1) + 12;
      break;
    case DOCUMENT:
    case ARRAY:
      length = sizeAt(bson, at, end, 5);
      break;
    case CODE_WITH_SCOPE:
      length = sizeAt(bson, at, end, 14);
      break;
    case BINARY:
      length = 5 + sizeAt(bson, at, end, 0);
      break;
    case REGEX: {
      const pattern = nulAt(bson, at, end);
      const flags = pattern < 0 ? -1 : nulAt(bson, pattern + 1, end);
      length = flags < 0 ? -1 : flags + 1 - at;
      break;
    }
    default:
      length = -1;
  }
  return length < 0 || at + length > end ? -1 : length;
}

// The int32 size prefix at `at`, or a large negative number when it is cut off or below `min`.
function sizeAt(bson: Buffer, at: number, end: number, min: number): number {
  const size = at + 4 <= end ? bson.readInt32LE(at) : -1;
  return size < min ? -0x1_0000_0000 : size;
}

// The index of the first 0 byte in [from, end), or -1: ends a C string (an element's name).
function nulAt(bson: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i++) if (bson[i] === 0) return i;
  return -1;
}

function fieldNamed(bson: Buffer, start: number, end: number, fields: readonly BsonField[]) {
  for (const field of fields) {
    const name = field.name;
    if (name.length !== end - start) continue;
    let k = 0;
    while (k < name.length && bson[start + k] === name.charCodeAt(k)) k++;
    if (k === name.length) return field;
  }
  return undefined;
}

// Short values repeat from document to document (namespace, kind, version, quantities): the
// strings read last, in slots by a hash of their bytes, are returned again without decoding or
// allocating (a native call per string showed in the snapshot's profile). 256 slots: a unique
// value per document (the name) evicts at most one common value.
const RECENT_SLOTS = 256;
const RECENT_MAX_LENGTH = 32;
const recent: (string | undefined)[] = new Array<string | undefined>(RECENT_SLOTS).fill(undefined);

function sameAscii(text: string, bson: Buffer, start: number, end: number): boolean {
  if (text.length !== end - start) return false;
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) !== bson[start + k]) return false;
  return true;
}

// A string value of ASCII bytes only, or undefined (non-ASCII text is left to the full decoder,
// which validates UTF-8).
function asciiString(bson: Buffer, at: number, length: number): string | undefined {
  const size = bson.readInt32LE(at);
  if (size < 1 || size + 4 !== length || bson[at + length - 1] !== 0) return undefined;
  const start = at + 4;
  const end = at + length - 1;
  let hash = 0;
  for (let i = start; i < end; i++) {
    const byte = bson[i] ?? 0;
    if (byte > 0x7f) return undefined;
    hash = (hash * 31 + byte) | 0;
  }
  if (end - start > RECENT_MAX_LENGTH) return bson.toString('latin1', start, end);
  const slot = hash & (RECENT_SLOTS - 1);
  const known = recent[slot];
  if (known !== undefined && sameAscii(known, bson, start, end)) return known;
  const text = bson.toString('latin1', start, end);
  recent[slot] = text;
  return text;
}

// The value as the `bson` package's deserializer returns it (default options), or undefined
// for a type this reader leaves to it.
function valueOf(bson: Buffer, type: number, at: number, length: number, field: BsonField): unknown {
  switch (type) {
    case STRING:
      return asciiString(bson, at, length);
    case DOUBLE:
      return bson.readDoubleLE(at);
    case INT32:
      return bson.readInt32LE(at);
    case INT64:
    case DATE: {
      // As bson's Long#toNumber: high word × 2^32 + unsigned low word.
      const value = bson.readInt32LE(at + 4) * 0x1_0000_0000 + bson.readUInt32LE(at);
      if (type === DATE) return new Date(value);
      // Beyond 2^53 the deserializer returns a Long: left to it.
      return Number.isSafeInteger(value) ? value : undefined;
    }
    case BOOLEAN: {
      const byte = bson[at];
      return byte === 0 ? false : byte === 1 ? true : undefined;
    }
    case NULL:
      return null;
    case DOCUMENT:
      return field.fields === undefined ? undefined : readDocument(bson, at, length, field.fields);
    default:
      return undefined;
  }
}

function readDocument(
  bson: Buffer,
  start: number,
  length: number,
  fields: readonly BsonField[],
): Record<string, unknown> | undefined {
  const end = start + length;
  if (length < 5 || end > bson.length || bson.readInt32LE(start) !== length || bson[end - 1] !== 0)
    return undefined;
  const out: Record<string, unknown> = {};
  let i = start + 4;
  for (;;) {
    const type = bson[i++] ?? 0;
    if (type === 0) return i === end ? out : undefined;
    const nameStart = i;
    const nameEnd = nulAt(bson, nameStart, end - 1);
    // A `$` name may make the deserializer return a DBRef instead of a plain object.
    if (nameEnd < 0 || bson[nameStart] === DOLLAR) return undefined;
    i = nameEnd + 1;
    const valueBytes = valueLength(bson, type, i, end - 1);
    if (valueBytes < 0) return undefined;
    const field = fieldNamed(bson, nameStart, nameEnd, fields);
    if (field !== undefined) {
      const value = valueOf(bson, type, i, valueBytes, field);
      if (value === undefined) return undefined;
      // A repeated name: the last one wins, as in the deserializer.
      out[field.name] = value;
    }
    i += valueBytes;
  }
}

/**
 * readBsonFields reads the named fields of one raw BSON document (the whole buffer) into a plain
 * object — each value exactly as `BSON.deserialize` would return it — and steps over every other
 * field without decoding it. It returns undefined, so that the caller decodes the document in
 * full, for anything it does not read the way the deserializer would: a named field of another
 * type than string (ASCII only), number (double, int32, int64 up to 2^53), boolean, null, date or
 * an embedded document with its own `fields`; a `$` field name; malformed bytes. Why: the
 * deserializer decodes every name and value through a per-byte array (half of the snapshot's
 * allocations), while a snapshot needs a dozen fields of a few hundred bytes.
 */
export function readBsonFields(
  bson: Buffer,
  fields: readonly BsonField[],
): Record<string, unknown> | undefined {
  return readDocument(bson, 0, bson.length, fields);
}

/**
 * bsonObjectIdAt is where the 12 bytes of the document's `_id` start when it is an ObjectId, else
 * -1 (as for malformed bytes). A repeated `_id`: the last one counts, as in the deserializer.
 */
export function bsonObjectIdAt(bson: Buffer): number {
  const end = bson.length;
  if (end < 5 || bson.readInt32LE(0) !== end || bson[end - 1] !== 0) return -1;
  let id = -1;
  let i = 4;
  for (;;) {
    const type = bson[i++] ?? 0;
    if (type === 0) return i === end ? id : -1;
    const nameEnd = nulAt(bson, i, end - 1);
    if (nameEnd < 0) return -1;
    const isId = nameEnd - i === 3 && bson[i] === 0x5f && bson[i + 1] === 0x69 && bson[i + 2] === 0x64;
    i = nameEnd + 1;
    const valueBytes = valueLength(bson, type, i, end - 1);
    if (valueBytes < 0) return -1;
    if (isId) id = type === OBJECT_ID ? i : -1;
    i += valueBytes;
  }
}
