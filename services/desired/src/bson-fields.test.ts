import {
  Binary,
  BSON,
  BSONRegExp,
  BSONSymbol,
  Code,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
} from 'mongodb';
import { describe, expect, it } from 'vitest';
import { bsonObjectIdAt, readBsonFields, type BsonField } from './bson-fields.ts';

// The driver hands raw documents over as Buffers.
const serialize = (document: Record<string, unknown>): Buffer => Buffer.from(BSON.serialize(document));

const fields: readonly BsonField[] = [{ name: 'a' }, { name: 'n' }, { name: 'sub', fields: [{ name: 'x' }] }];

// One element of every BSON type the reader steps over, around the fields it reads.
const everyType = {
  _id: new ObjectId('65a1b2c3d4e5f60718293a4b'),
  double: new Double(1.5),
  string: 'ünïcode',
  document: { deep: { deeper: [1] } },
  array: [1, 'two', { three: 3 }],
  binary: new Binary(Buffer.from([1, 2, 3]), 4),
  bool: true,
  date: new Date(5),
  null: null,
  regex: new BSONRegExp('a+b', 'i'),
  code: new Code('x()'),
  symbol: new BSONSymbol('s'),
  codeWithScope: new Code('y()', { k: 1 }),
  int32: new Int32(-7),
  timestamp: new Timestamp({ t: 1, i: 2 }),
  int64: Long.fromString('-9007199254740993'),
  decimal: Decimal128.fromString('1.10'),
  min: new MinKey(),
  max: new MaxKey(),
};

describe('readBsonFields', () => {
  it('reads the named fields as the deserializer does and steps over every other type', () => {
    const bson = serialize({ ...everyType, a: 'text', n: Long.fromNumber(42), sub: { x: 2.5, y: 'z' } });
    expect(readBsonFields(bson, fields)).toEqual({ a: 'text', n: 42, sub: { x: 2.5 } });
  });

  it('lets the last of a repeated name win, as the deserializer does', () => {
    // BSON.serialize never repeats a name: splice two documents' elements together.
    const first = serialize({ a: 'one' });
    const second = serialize({ a: 'two' });
    const elements = Buffer.concat([first.subarray(4, -1), second.subarray(4, -1)]);
    const bson = Buffer.alloc(elements.length + 5);
    bson.writeInt32LE(bson.length, 0);
    elements.copy(bson, 4);
    expect(BSON.deserialize(bson)).toEqual({ a: 'two' });
    expect(readBsonFields(bson, fields)).toEqual({ a: 'two' });
  });

  it('returns a remembered short string only for the same bytes', () => {
    // "Aa" and "BB" hash alike (31 × 65 + 97 = 31 × 66 + 66): one slot, compared byte by byte.
    for (const a of ['Aa', 'BB', 'Aa', 'Ab', 'A', '']) {
      expect(readBsonFields(serialize({ a }), fields)).toEqual({ a });
    }
  });

  it.each([
    ['a non-ASCII string', { a: 'ünïcode' }],
    ['an int64 beyond 2^53', { n: Long.fromString('9007199254740993') }],
    ['an array', { a: ['x'] }],
    ['an embedded document without fields to read', { a: { x: 1 } }],
    ['a $ name (a DBRef)', { sub: { $ref: 'c', $id: 1, x: 1 } }],
    ['an ObjectId', { a: new ObjectId() }],
  ])('leaves %s to the full decoder', (_label, document) => {
    expect(readBsonFields(serialize(document), fields)).toBeUndefined();
  });

  it('returns undefined for malformed bytes instead of throwing', () => {
    const bson = serialize({ a: 'text', b: 'skipped' });
    expect(readBsonFields(bson.subarray(0, -1), fields)).toBeUndefined();
    const cut = Buffer.from(bson);
    cut.writeInt32LE(1_000, cut.indexOf('skipped') - 4);
    expect(readBsonFields(cut, fields)).toBeUndefined();
    const negative = Buffer.from(bson);
    negative.writeInt32LE(-3, negative.indexOf('skipped') - 4);
    expect(readBsonFields(negative, fields)).toBeUndefined();
  });
});

describe('bsonObjectIdAt', () => {
  it('finds an ObjectId _id wherever it is, and nothing for another type', () => {
    const id = new ObjectId('65a1b2c3d4e5f60718293a4b');
    const hexAt = (bson: Buffer) => {
      const at = bsonObjectIdAt(bson);
      return at < 0 ? undefined : bson.toString('hex', at, at + 12);
    };
    expect(hexAt(serialize({ _id: id, a: 1 }))).toBe(id.toHexString());
    const { _id, ...rest } = everyType;
    expect(hexAt(serialize({ ...rest, _id }))).toBe(_id.toHexString());
    expect(bsonObjectIdAt(serialize({ _id: 'text' }))).toBe(-1);
    expect(bsonObjectIdAt(serialize({ a: 1 }))).toBe(-1);
  });
});
