import type { Document } from 'mongodb';
import type { Claim } from './claim.ts';
import type { PlannedWrite } from './write-plan.ts';

/**
 * isStuck decides whether a claimed operation is stuck: still outstanding (claim not released),
 * not flagged yet, and created more than `stuckAfterMs` before `nowMs`. Exactly `stuckAfterMs`
 * old is not stuck yet.
 */
export function isStuck(
  claim: Pick<Claim, 'released' | 'stuck' | 'createdAtMs'>,
  nowMs: number,
  stuckAfterMs: number,
): boolean {
  return !claim.released && claim.stuck !== true && nowMs - claim.createdAtMs > stuckAfterMs;
}

/** stuckCandidatesFilter is `isStuck` as a filter on `outstanding_operations`. */
export function stuckCandidatesFilter(nowMs: number, stuckAfterMs: number): Document {
  return { released: false, stuck: { $ne: true }, createdAtMs: { $lt: nowMs - stuckAfterMs } };
}

/**
 * stuckWrites flags the given claims and their operations `stuck` at `nowMs`. The operations
 * filter repeats `outcome: 'outstanding'`, so an operation achieved meanwhile is never flagged.
 * Empty when no claim is stuck.
 */
export function stuckWrites(claims: readonly Claim[], nowMs: number): PlannedWrite[] {
  if (claims.length === 0) return [];
  return [
    {
      collection: 'operations',
      id: 'stuck-sweep',
      staleIsWritten: false,
      model: {
        updateMany: {
          filter: { _id: { $in: claims.map((c) => c.operationId) }, outcome: 'outstanding' },
          update: { $set: { stuck: true, stuckAtMs: nowMs } },
        },
      },
    },
    {
      collection: 'outstanding_operations',
      id: 'stuck-sweep',
      staleIsWritten: false,
      model: {
        updateMany: {
          filter: { _id: { $in: claims.map((c) => c._id) }, released: false },
          update: { $set: { stuck: true, stuckAtMs: nowMs } },
        },
      },
    },
  ];
}
