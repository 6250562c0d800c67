import fc from 'fast-check';
import { Double, Int32, Long } from 'mongodb';

// Each field draws mostly from valid values and sometimes from the edge cases of its rules and
// wrong types, so generated documents land on both sides of every check. The BSON number
// wrappers (Int32, Long, Double) make BSON.serialize write each numeric element type.
const field = (valid: readonly unknown[], edge: readonly unknown[]) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...valid), weight: 12 },
    { arbitrary: fc.constantFrom(...edge), weight: 1 },
  );
const quantity = field(
  [undefined, null, '500m', ' 2Gi ', '1.5', '+1e3', '1'.repeat(64)],
  ['Ki', '', '1Gb', ' ', '1'.repeat(65), 0.5, -1, Number.NaN, true, '1Gi\u00e9'],
);
const pair = fc.oneof(
  { arbitrary: fc.record({ cpu: quantity, memory: quantity }, { requiredKeys: [] }), weight: 12 },
  { arbitrary: fc.constantFrom(undefined, null, 'x', ['1'], { $ref: 'c', $id: 1 }), weight: 1 },
);

/**
 * databaseDocumentArbitrary generates `databases` documents around the common shape, valid and
 * not: the property tests hold the fast paths (decoded and BSON) to the schema with it.
 */
export const databaseDocumentArbitrary = fc.record(
  {
    _id: fc.constantFrom('a', 7),
    provider: field(['prov-1', 'a.b_c-d', 'A', 'p'.repeat(128)], ['-x', 'a/b', '', 'p'.repeat(129), 3]),
    namespace: field(['team-a', 'a', 'a'.repeat(63)], ['Team', 'a-', 'a'.repeat(64), '', null]),
    name: field(['orders', 'db-1'], ['x_y', 'a'.repeat(64), undefined, 'ördérs']),
    kind: field(['Postgres', 'MongoDB', 'P'.repeat(63)], ['postgres', 'P'.repeat(64), null, 1, undefined]),
    engine: field([undefined], ['postgres', 'unknown', '', null]),
    version: field(['16.1', 'v'.repeat(64)], ['', 'v'.repeat(65), 16, 'v16\u00e9']),
    replicas: field(
      [0, 3, 1000, new Int32(3), new Double(3), Long.fromNumber(3)],
      [1001, -1, 1.5, -0, Number.POSITIVE_INFINITY, '3', null, Long.fromNumber(-1)],
    ),
    storage: quantity,
    resources: fc.oneof(
      { arbitrary: fc.record({ requests: pair, limits: pair }, { requiredKeys: [] }), weight: 12 },
      { arbitrary: fc.constantFrom(undefined, null, 'big', [], { $ref: 'c', $id: 1 }), weight: 1 },
    ),
    halted: field([undefined, true, false, null], ['yes', 0]),
    generation: field(
      [undefined, 0, 7, Number.MAX_SAFE_INTEGER, null, Long.fromNumber(Number.MAX_SAFE_INTEGER)],
      [Number.MAX_SAFE_INTEGER + 1, -1, 2.5, '7', Long.fromString('9007199254740993')],
    ),
    updatedAt: field(
      [undefined, new Date(1_700_000_000_000), null, new Date(-1)],
      [new Date(Number.NaN), 1_700_000_000_000],
    ),
    extra: fc.constantFrom('ignored', { nested: true }, [1, 'two'], new Int32(1), /re/i),
  },
  { requiredKeys: ['_id'] },
);
