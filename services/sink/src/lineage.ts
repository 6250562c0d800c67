import type { Claim } from './claim.ts';
import type { PlannedWrite } from './write-plan.ts';

/**
 * resolveLineageWrites marks what a resolved drift achieved: every operation of `key` still
 * `outstanding` and created at or before the resolution (`createdAtMs <= atMs`; both times come
 * from the reconciler's clock) becomes `achieved` with the resolving event's id and time, and
 * the key's claims are released. Operations created after the resolution belong to a later
 * drift and are left alone. Idempotent: a replay finds nothing outstanding and changes nothing.
 * Query drift → operation → resolved as `operations.find({ achievedByEventId: drift.resolvedEventId })`.
 */
export function resolveLineageWrites(key: string, eventId: string, atMs: number): PlannedWrite[] {
  return [
    {
      collection: 'operations',
      id: key,
      staleIsWritten: false,
      model: {
        updateMany: {
          filter: { key, outcome: 'outstanding', createdAtMs: { $lte: atMs } },
          update: { $set: { outcome: 'achieved', achievedByEventId: eventId, achievedAtMs: atMs } },
        },
      },
    },
    {
      collection: 'outstanding_operations',
      id: key,
      staleIsWritten: false,
      model: {
        updateMany: {
          filter: { key, released: false, createdAtMs: { $lte: atMs } },
          update: { $set: { released: true, releasedByEventId: eventId, releasedAtMs: atMs } },
        },
      },
    },
  ];
}

/** ResolvedDrift is the part of a `drift` document late lineage reads. */
export interface ResolvedDrift {
  readonly _id: string;
  readonly status: string;
  readonly resolvedEventId?: string | null;
  readonly resolvedAtMs?: number | null;
}

/**
 * lateLineageWrites covers an operation that reached the sink after the drift it belongs to had
 * already resolved (operations and drift are different topics: nothing orders them for the sink).
 * Given the key's stored drift, it repeats the resolution's lineage when the drift is resolved;
 * an open drift yields nothing.
 */
export function lateLineageWrites(drift: ResolvedDrift | null): PlannedWrite[] {
  if (drift === null || drift.status !== 'resolved') return [];
  if (typeof drift.resolvedEventId !== 'string' || typeof drift.resolvedAtMs !== 'number') return [];
  return resolveLineageWrites(drift._id, drift.resolvedEventId, drift.resolvedAtMs);
}

/**
 * settleClaimWrites makes the `operations` collection agree with the claim of one key and type:
 * every operation of that key and type still `outstanding` and older than the holder (lower
 * desired generation, or the same one created earlier) is `superseded` by it. Only older ones:
 * a newer operation whose claim upsert has not landed yet (another sink, or the same chunk's
 * claim write still in flight) is left alone and settles after its own claim. The claim only
 * ever moves to a newer operation, so an operation superseded this way stays superseded rightly,
 * and once every sink has settled exactly the holder is outstanding.
 */
export function settleClaimWrites(claim: Claim | null): PlannedWrite[] {
  if (claim === null) return [];
  return [
    {
      collection: 'operations',
      id: claim._id,
      staleIsWritten: false,
      model: {
        updateMany: {
          filter: {
            key: claim.key,
            type: claim.type,
            outcome: 'outstanding',
            _id: { $ne: claim.operationId },
            $or: [
              { desiredGeneration: { $lt: claim.desiredGeneration } },
              { desiredGeneration: claim.desiredGeneration, createdAtMs: { $lt: claim.createdAtMs } },
            ],
          },
          update: { $set: { outcome: 'superseded', supersededBy: claim.operationId } },
        },
      },
    },
  ];
}
