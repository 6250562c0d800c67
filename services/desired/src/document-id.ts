import { BSON, ObjectId, type Document } from 'mongodb';
import { bsonObjectIdAt } from './bson-fields.ts';

/**
 * documentIdOf is the canonical string of a document `_id`: its canonical Extended JSON. It names
 * the document in the key index, in headers and in correlation ids, so it must never change for a
 * given `_id`. The two common types (ObjectId, string) are written directly — the same text
 * EJSON.stringify writes, without its generic walk, which showed in the snapshot's CPU profile —
 * and every other type goes through EJSON.
 */
export function documentIdOf(id: unknown): string {
  if (id instanceof ObjectId) return `{"$oid":"${id.toHexString()}"}`;
  if (typeof id === 'string') return JSON.stringify(id);
  return BSON.EJSON.stringify(id as Document, { relaxed: false });
}

// `{"$oid":"<24 hex digits>"}` written into one buffer and read out as one flat string: a
// template literal would build a rope that every Map lookup and header write flattens again.
const OID_TEXT = Buffer.from('{"$oid":"000000000000000000000000"}', 'latin1');
const OID_HEX_AT = 9;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * documentIdOfBson is documentIdOf of a raw BSON document's `_id` when it is an ObjectId, read
 * without decoding the document; undefined for any other `_id` (decode the document then).
 */
export function documentIdOfBson(bson: Buffer): string | undefined {
  const at = bsonObjectIdAt(bson);
  if (at < 0) return undefined;
  for (let k = 0; k < 12; k++) {
    const byte = bson[at + k] ?? 0;
    OID_TEXT[OID_HEX_AT + 2 * k] = HEX_DIGITS[byte >> 4] ?? 0;
    OID_TEXT[OID_HEX_AT + 2 * k + 1] = HEX_DIGITS[byte & 15] ?? 0;
  }
  return OID_TEXT.toString('latin1');
}
