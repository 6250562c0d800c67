import { MongoServerError } from 'mongodb';
import { judge, type DriftlineErrorCode } from '@driftline/shared/errors';
import type { WriteFailure } from './store.ts';

// E11000 duplicate key: on a version-guarded upsert it means the stored document is newer or the same.
const DUPLICATE_KEY = 11000;

/** RefusedWrite is a model MongoDB refused for good, with the code it is reported under. */
export interface RefusedWrite {
  readonly index: number;
  readonly code: DriftlineErrorCode;
  readonly error: MongoServerError;
}

/** SortedWrites says, for each model index of one bulkWrite, what happens next. */
export interface SortedWrites {
  /** Acknowledged: written, or stale (a newer version is stored) for a guarded upsert. */
  readonly written: readonly number[];
  /** Refused for a reason that may pass (write conflict, not primary, ...): run these again. */
  readonly retry: readonly number[];
  /** Refused for good (validation, document too large, ...): dead-letter their records. */
  readonly refused: readonly RefusedWrite[];
}

/**
 * sortWriteErrors splits the models of an acknowledged unordered bulkWrite (`staleIsWritten[i]`
 * per model) by its write errors. Duplicate key (11000) on a guarded model counts as written;
 * every other error is judged by `classify`'s rules (a MongoServerError with that code): retryable
 * codes go to `retry`, the rest to `refused`. Indexes without an error are written. Pure: tested
 * with fake bulkWrite results.
 */
export function sortWriteErrors(
  staleIsWritten: readonly boolean[],
  writeErrors: readonly WriteFailure[],
): SortedWrites {
  const byIndex = new Map(writeErrors.map((failure) => [failure.index, failure]));
  const written: number[] = [];
  const retry: number[] = [];
  const refused: RefusedWrite[] = [];
  staleIsWritten.forEach((stale, index) => {
    const failure = byIndex.get(index);
    if (failure === undefined || (failure.code === DUPLICATE_KEY && stale)) {
      written.push(index);
      return;
    }
    const error = new MongoServerError({
      message: failure.message,
      errmsg: failure.message,
      code: failure.code,
    });
    const verdict = judge(error);
    if (verdict.disposition === 'retry') retry.push(index);
    else refused.push({ index, code: verdict.code, error });
  });
  return { written, retry, refused };
}
