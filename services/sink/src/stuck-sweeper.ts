import type { Logger } from '@driftline/shared/logging';
import type { Clock } from '@driftline/shared/resilience';
import type { Claim } from './claim.ts';
import type { SinkStorePort } from './store.ts';
import { isStuck, stuckCandidatesFilter, stuckWrites } from './stuck.ts';

/** StuckSweeper flags operations outstanding for too long. */
export interface StuckSweeper {
  /** sweep flags what is stuck now and resolves with how many operations it flagged. */
  sweep(): Promise<number>;
}

/**
 * createStuckSweeper returns a sweeper that reads the claims `stuckCandidatesFilter` selects,
 * keeps those `isStuck` confirms at the injected clock's time, and flags them and their
 * operations (`stuckWrites`). Errors reject; the caller logs them and sweeps again next interval.
 */
export function createStuckSweeper(options: {
  readonly store: SinkStorePort;
  readonly clock: Clock;
  readonly stuckAfterMs: number;
  readonly logger: Logger;
}): StuckSweeper {
  return {
    async sweep() {
      const nowMs = options.clock.now();
      const candidates = (await options.store.find(
        'outstanding_operations',
        stuckCandidatesFilter(nowMs, options.stuckAfterMs),
      )) as Claim[];
      const stuck = candidates.filter((claim) => isStuck(claim, nowMs, options.stuckAfterMs));
      const writes = stuckWrites(stuck, nowMs);
      for (const write of writes) await options.store.bulkWrite(write.collection, [write.model]);
      if (stuck.length > 0) {
        options.logger.warn(
          { count: stuck.length, operationIds: stuck.slice(0, 20).map((claim) => claim.operationId) },
          'operations flagged stuck',
        );
      }
      return stuck.length;
    },
  };
}
