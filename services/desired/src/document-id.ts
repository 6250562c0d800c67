import { BSON, ObjectId, type Document } from 'mongodb';
import { bsonObjectIdHexOf } from './bson-fields.ts';

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

/**
 * documentIdOfBson is documentIdOf of a raw BSON document's `_id`, read without decoding the
 * document when the `_id` is an ObjectId; `decode` is called for any other `_id`.
 */
export function documentIdOfBson(bson: Buffer, decode: () => Readonly<Record<string, unknown>>): string {
  const hex = bsonObjectIdHexOf(bson);
  return hex === undefined ? documentIdOf(decode()['_id']) : `{"$oid":"${hex}"}`;
}
