import type { DriftEvent, ObservedDatabase, Operation } from '@driftline/schemas';
import type { Document } from 'mongodb';
import { claimId, claimFilter } from './claim.ts';
import {
  newerThanStoredFilter,
  olderThanTombstoneFilter,
  resourceVersionOrder,
  type RecordVersion,
} from './version-guard.ts';
import { emptyPlan, type PlannedWrite, type RecordPlan } from './write-plan.ts';

/**
 * SinkInput is one decoded record of a topic the sink projects. `value: null` is a tombstone;
 * `key` is the Kafka message key (the database key); `sourceOffset` and `sourcePartition` say
 * where it was read.
 */
export type SinkInput =
  | (SourcePosition & { readonly topic: 'operations'; readonly value: Operation | null })
  | (SourcePosition & { readonly topic: 'observed'; readonly value: ObservedDatabase | null })
  | (SourcePosition & { readonly topic: 'drift'; readonly value: DriftEvent | null });

/** SourcePosition is the Kafka key and position of a consumed record. */
export interface SourcePosition {
  readonly key: string;
  readonly sourcePartition: number;
  readonly sourceOffset: number;
}

/**
 * OperationOutcome is the sink's view of an operation's fate, never the executor's `status`:
 * `outstanding` until its drift resolves (`achieved`) or a newer operation of the same key and
 * type takes its claim (`superseded`).
 */
export type OperationOutcome = 'outstanding' | 'achieved' | 'superseded';

function upsert(
  collection: PlannedWrite['collection'],
  id: string,
  version: RecordVersion,
  set: Document,
  setOnInsert?: Document,
): PlannedWrite {
  const fields = { ...set, version: version.version, sourceOffset: version.sourceOffset };
  const update: Document = { $set: fields };
  if (setOnInsert !== undefined) update['$setOnInsert'] = setOnInsert;
  return {
    collection,
    id,
    staleIsWritten: true,
    model: { updateOne: { filter: newerThanStoredFilter(id, version), update, upsert: true } },
    guard: { version, document: { ...setOnInsert, ...fields, _id: id }, update },
  };
}

function tombstone(collection: PlannedWrite['collection'], id: string, offset: number): PlannedWrite {
  return {
    collection,
    id,
    staleIsWritten: false,
    model: { deleteOne: { filter: olderThanTombstoneFilter(id, offset) } },
  };
}

/**
 * planOperation upserts the operation under its deterministic `operationId`, guarded by its
 * desired generation then source offset. The executor's lifecycle fields (`status`, `attempts`)
 * and the sink's `outcome`/`stuck` are only ever set on insert (`$setOnInsert`), so a replay never
 * resets them. It also claims `outstanding_operations/<key>|<type>` (see `claim.ts`) and asks for
 * the claim to be settled and for late lineage (the drift may have resolved before the operation
 * arrived: different topics carry no order between them).
 */
function planOperation(input: SourcePosition, operation: Operation): RecordPlan {
  const version = { version: operation.desiredGeneration, sourceOffset: input.sourceOffset };
  const { operationId, ...fields } = operation;
  const id = claimId(operation.key, operation.type);
  return {
    writes: [
      upsert(
        'operations',
        operationId,
        version,
        { ...fields, sourcePartition: input.sourcePartition },
        { status: 'pending', attempts: 0, outcome: 'outstanding' satisfies OperationOutcome, stuck: false },
      ),
      {
        collection: 'outstanding_operations',
        id,
        staleIsWritten: true,
        model: {
          updateOne: {
            filter: claimFilter(id, operation),
            update: {
              $set: {
                key: operation.key,
                type: operation.type,
                operationId,
                desiredGeneration: operation.desiredGeneration,
                createdAtMs: operation.createdAtMs,
                released: false,
                stuck: false,
              },
            },
            upsert: true,
          },
        },
      },
    ],
    followUps: [
      { type: 'settle-claim', key: operation.key, operationType: operation.type },
      { type: 'late-lineage', key: operation.key },
    ],
  };
}

function planObserved(input: SourcePosition, observed: ObservedDatabase | null): RecordPlan {
  if (observed === null)
    return { writes: [tombstone('observed_state', input.key, input.sourceOffset)], followUps: [] };
  const version = {
    version: resourceVersionOrder(observed.resourceVersion),
    sourceOffset: input.sourceOffset,
  };
  return {
    writes: [
      upsert('observed_state', observed.key, version, {
        ...observed,
        sourcePartition: input.sourcePartition,
      }),
    ],
    followUps: [],
  };
}

/**
 * planDrift keeps the latest drift event per database key, guarded by `detectedAtMs` then source
 * offset. Not by `sequence`: it restarts when the reconciler rebuilds its state from the
 * compacted topics, and a rebuilt drift must replace what the previous run left.
 * An `opened` event starts an episode (`openedEventId`, `resolvedEventId: null`); a `resolved`
 * one records `resolvedEventId`/`resolvedAtMs` and asks for the lineage follow-up, which marks
 * the key's outstanding operations achieved by it.
 */
function planDrift(input: SourcePosition, event: DriftEvent | null): RecordPlan {
  if (event === null) return { writes: [tombstone('drift', input.key, input.sourceOffset)], followUps: [] };
  const episode: Document =
    event.status === 'opened'
      ? {
          openedEventId: event.eventId,
          openedAtMs: event.detectedAtMs,
          resolvedEventId: null,
          resolvedAtMs: null,
        }
      : event.status === 'resolved'
        ? { resolvedEventId: event.eventId, resolvedAtMs: event.detectedAtMs }
        : {};
  const version = { version: event.detectedAtMs, sourceOffset: input.sourceOffset };
  return {
    writes: [
      upsert('drift', event.key, version, { ...event, ...episode, sourcePartition: input.sourcePartition }),
    ],
    followUps:
      event.status === 'resolved'
        ? [{ type: 'resolve-lineage', key: event.key, eventId: event.eventId, atMs: event.detectedAtMs }]
        : [],
  };
}

/**
 * planRecord is the projection of one record, a pure function: the writes (version-guarded
 * upserts, or a delete for a tombstone) and follow-ups it causes. A tombstone on the operations
 * topic writes nothing: operations are owned by their executor once written and are never
 * deleted by the pipeline.
 */
export function planRecord(input: SinkInput): RecordPlan {
  switch (input.topic) {
    case 'operations':
      return input.value === null ? emptyPlan : planOperation(input, input.value);
    case 'observed':
      return planObserved(input, input.value);
    case 'drift':
      return planDrift(input, input.value);
  }
}
