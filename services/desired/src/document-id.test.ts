import { BSON, Decimal128, Long, ObjectId, type Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { documentIdOf, documentIdOfBson } from './document-id.ts';

// The driver hands raw documents over as Buffers.
const serialize = (document: Record<string, unknown>): Buffer => Buffer.from(BSON.serialize(document));

const canonical = (id: unknown) => BSON.EJSON.stringify(id as Document, { relaxed: false });

describe('documentIdOf', () => {
  it.each([
    ['ObjectId', new ObjectId('65a1b2c3d4e5f60718293a4b')],
    ['plain string', 'prov-1'],
    ['string needing JSON escapes', 'a "quoted"\\ name\n\u0001 with ünïcode and \u2028'],
    ['empty string', ''],
    ['int', 42],
    ['double', 1.5],
    ['Long', Long.fromString('9007199254740993')],
    ['Decimal128', Decimal128.fromString('1.10')],
    ['date', new Date('2026-01-02T03:04:05.006Z')],
    ['embedded document', { tenant: 't1', n: 7 }],
  ])('writes canonical Extended JSON for a %s _id', (_label, id) => {
    expect(documentIdOf(id)).toBe(canonical(id));
  });

  it('keeps the ObjectId and string spellings apart', () => {
    const hex = '65a1b2c3d4e5f60718293a4b';
    expect(documentIdOf(new ObjectId(hex))).not.toBe(documentIdOf(hex));
  });

  it.each([
    ['ObjectId', new ObjectId('65a1b2c3d4e5f60718293a4b')],
    ['string', 'prov-1'],
    ['Long', Long.fromString('9007199254740993')],
  ])('reads a %s _id from BSON as documentIdOf does, or leaves it to the decoded document', (_label, id) => {
    const bson = serialize({ a: 1, _id: id });
    // Only an ObjectId is read from the bytes; any other type is left to the decoded document.
    expect(documentIdOfBson(bson)).toBe(id instanceof ObjectId ? canonical(id) : undefined);
  });
});
