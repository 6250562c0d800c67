import { describe, expect, it } from 'vitest';
import { sortWriteErrors } from './write-outcome.ts';

describe('sortWriteErrors', () => {
  it('writes everything without write errors', () => {
    expect(sortWriteErrors([true, false, true], [])).toEqual({ written: [0, 1, 2], retry: [], refused: [] });
  });

  it('counts duplicate key on a guarded upsert as written (a newer version is stored)', () => {
    const sorted = sortWriteErrors([true, true], [{ index: 1, code: 11000, message: 'E11000 dup key' }]);
    expect(sorted).toEqual({ written: [0, 1], retry: [], refused: [] });
  });

  it('refuses duplicate key on an unguarded model', () => {
    const sorted = sortWriteErrors([false], [{ index: 0, code: 11000, message: 'E11000 dup key' }]);
    expect(sorted.written).toEqual([]);
    expect(sorted.refused.map((r) => [r.index, r.code])).toEqual([[0, 'MONGO_WRITE_REJECTED']]);
  });

  it('retries only the models with retryable errors (write conflict, not primary, timeout)', () => {
    const sorted = sortWriteErrors(
      [true, true, true, true, true],
      [
        { index: 1, code: 112, message: 'WriteConflict' },
        { index: 3, code: 10107, message: 'NotWritablePrimary' },
        { index: 4, code: 262, message: 'ExceededTimeLimit' },
      ],
    );
    expect(sorted).toEqual({ written: [0, 2], retry: [1, 3, 4], refused: [] });
  });

  it('refuses validation failures and oversized documents for good', () => {
    const sorted = sortWriteErrors(
      [true, true, true],
      [
        { index: 0, code: 121, message: 'Document failed validation' },
        { index: 2, code: 10334, message: 'BSONObjectTooLarge' },
      ],
    );
    expect(sorted.written).toEqual([1]);
    expect(sorted.retry).toEqual([]);
    expect(sorted.refused.map((r) => [r.index, r.code, r.error.message])).toEqual([
      [0, 'MONGO_WRITE_REJECTED', 'Document failed validation'],
      [2, 'MONGO_WRITE_REJECTED', 'BSONObjectTooLarge'],
    ]);
  });
});
