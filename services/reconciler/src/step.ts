import type {
  DesiredDatabase,
  DriftEvent,
  DriftStatus,
  FieldDifference,
  KeyStatus,
  ObservedDatabase,
  Operation,
  OperationType,
} from '@driftline/schemas';
import { safeParseKey, type DatabaseKey } from '@driftline/shared/keys';
import {
  driftEventId,
  driftFingerprint,
  operationId,
  opsRequestName,
  targetFingerprint,
} from './fingerprint.ts';
import type { Freshness } from './freshness.ts';
import { desiredView, observedView, type DesiredView, type ObservedView } from './record-view.ts';
import { isNewerOrSameDesired, isNewerOrSameObserved } from './monotonic.ts';
import { detectDrift, sameDifferences } from './rules.ts';

/**
 * ReconcilerConfig holds the reconciler core's timing knobs (all in milliseconds).
 * - `persistMs`: a new drift condition (opened, changed or resolved) must hold this long before it
 *   is emitted, so a value flipping back and forth emits nothing. 0 = emit at once.
 * - `convergenceGraceMs`: while the observed object converges (phase Provisioning/Updating or
 *   observedGeneration < generation) no transition is emitted, for at most this long.
 * - `staleAfterMs`: a provider whose watch showed no sign of life for this long is stale.
 */
export interface ReconcilerConfig {
  readonly persistMs: number;
  readonly convergenceGraceMs: number;
  readonly staleAfterMs: number;
}

/**
 * KeyInput is one input for one database key: a desired or observed upsert (`value`) or tombstone
 * (`null`), a `tick` that re-evaluates the key (time passed, or its provider's freshness changed),
 * or a `seed`: the key's latest event on the drift topic, read back on a rebuild (see seedOpenDrift).
 */
export type KeyInput =
  | { readonly type: 'desired'; readonly value: DesiredDatabase | null }
  | { readonly type: 'observed'; readonly value: ObservedDatabase | null }
  | { readonly type: 'tick' }
  | { readonly type: 'seed'; readonly event: DriftEvent };

/** StepContext is what `step` needs besides the state and the input: the key, the time, and the freshness of the key's provider. */
export interface StepContext {
  readonly key: string;
  readonly nowMs: number;
  readonly freshness: Freshness;
}

/** DriftCondition is a drift as the reconciler sees it: a non-in-sync key status and the differences behind it. */
export interface DriftCondition {
  readonly keyStatus: Exclude<KeyStatus, 'in_sync'>;
  readonly differences: readonly FieldDifference[];
}

interface PlannedOperation {
  readonly type: OperationType;
  readonly operationId: string;
}

/** OpenDrift is the drift last emitted for a key (opened or changed, not yet resolved). */
export interface OpenDrift extends DriftCondition {
  readonly fingerprint: string;
  /** Start of the stale period when `keyStatus` is `unknown`, else null (part of event ids). */
  readonly staleEpochMs: number | null;
  /**
   * Ids of the outstanding operations for this drift, one per operation type among its
   * differences' remediations, in OPERATION_ORDER (so the type and target of each are derived from
   * `differences`, not stored: that keeps a drifting key's state small).
   */
  readonly operationIds: readonly string[];
}

/** PendingTransition is a condition different from the open drift (`target` null = in sync) waiting out the persistence window. */
export interface PendingTransition {
  readonly target: DriftCondition | null;
  readonly sinceMs: number;
}

/**
 * KeyState is everything the reconciler keeps for one database key. It is immutable: `step`
 * returns a new one. Its size is bounded by the key, not by the number of events.
 */
export interface KeyState {
  /** The latest desired record, projected onto what the reconciler needs (see DesiredView). */
  readonly desired: DesiredView | null;
  /** The latest observed record, projected onto what the reconciler needs (see ObservedView). */
  readonly observed: ObservedView | null;
  /** Last desired generation seen, kept after a tombstone so ids of later events stay distinct. */
  readonly lastDesiredGeneration: number | null;
  /** Last observed resourceVersion seen, kept after a tombstone for the same reason. */
  readonly lastObservedResourceVersion: string | null;
  /** When the observed object started converging, or null when it is settled. */
  readonly convergingSinceMs: number | null;
  /** The key status right now (not debounced). */
  readonly keyStatus: KeyStatus;
  readonly open: OpenDrift | null;
  readonly pending: PendingTransition | null;
  /** Number of drift events emitted for this key in this state's lifetime. */
  readonly sequence: number;
}

/**
 * StepOutput is what one step emits, in this order: a key status change (`keyStatus` null = the
 * key's state was dropped), then at most one drift event, then the operations it created.
 */
export type StepOutput =
  | { readonly type: 'status'; readonly key: string; readonly keyStatus: KeyStatus | null }
  | { readonly type: 'drift'; readonly event: DriftEvent }
  | { readonly type: 'operation'; readonly operation: Operation };

/** StepResult is a step's new state (null = drop the key) and its outputs. */
export interface StepResult {
  readonly state: KeyState | null;
  readonly outputs: readonly StepOutput[];
}

/** CONVERGING_PHASES are the KubeDB phases in which a resource is still being changed by its operator. */
export const CONVERGING_PHASES: ReadonlySet<string> = new Set(['Provisioning', 'Updating']);

const NO_OUTPUTS: readonly StepOutput[] = Object.freeze([]);
const NO_DIFFERENCES: readonly FieldDifference[] = Object.freeze([]);
const NO_IDS: readonly string[] = Object.freeze([]);
const OPERATION_ORDER: readonly OperationType[] = [
  'HorizontalScaling',
  'UpdateVersion',
  'VerticalScaling',
  'VolumeExpansion',
];

/**
 * step is the reconciler's per-key state machine, a pure function: the same state, input and
 * context always give the same result, and it never throws on bad data.
 *
 * - Monotonic: a desired record older than the one held (lower generation, or equal generation and
 *   older clusterTime) and an observed record with an older resourceVersion (same uid, both
 *   numeric) are ignored — nothing changes, nothing is emitted.
 * - Join: desired without observed is `missing`, observed without desired `orphan`; when both are
 *   gone the state is dropped (null), and an open drift is `resolved` first.
 * - Stale provider: key status `unknown`; an open drift turns into an `unknown` drift (`changed`),
 *   no drift opens or resolves on stale data, and keys without an open drift emit no event (only
 *   their status output says `unknown`).
 * - Debounce: a condition different from the open drift must hold for `persistMs`, and is held back
 *   while the observed object converges (up to `convergenceGraceMs`), before it is emitted as
 *   `opened`, `changed` or `resolved`. An unchanged drift is never emitted again.
 * - Operations: when a `drifting` condition is emitted, one operation per remediation type among
 *   its differences (Manual ones get none), unless one for the same target is outstanding.
 */
export function step(
  state: KeyState | null,
  input: KeyInput,
  ctx: StepContext,
  config: ReconcilerConfig,
): StepResult {
  if (input.type === 'seed') return { state: seedOpenDrift(state, input.event), outputs: NO_OUTPUTS };
  let desired = state?.desired ?? null;
  let observed = state?.observed ?? null;
  let lastDesiredGeneration = state?.lastDesiredGeneration ?? null;
  let lastObservedResourceVersion = state?.lastObservedResourceVersion ?? null;
  let convergingSinceMs = state?.convergingSinceMs ?? null;
  const now = ctx.nowMs;

  if (input.type === 'desired') {
    const next = input.value;
    if (next === null) {
      desired = null;
    } else {
      if (desired !== null && !isNewerOrSameDesired(next, desired)) return { state, outputs: NO_OUTPUTS };
      desired = desiredView(next);
      lastDesiredGeneration = next.generation;
    }
  } else if (input.type === 'observed') {
    const next = input.value;
    if (next === null) {
      observed = null;
      convergingSinceMs = null;
    } else {
      if (observed !== null && !isNewerOrSameObserved(next, observed)) return { state, outputs: NO_OUTPUTS };
      observed = observedView(next);
      lastObservedResourceVersion = next.resourceVersion;
      convergingSinceMs = isConverging(next) ? (convergingSinceMs ?? now) : null;
    }
  } else if (state === null) {
    return { state: null, outputs: NO_OUTPUTS };
  }

  if (desired === null && observed === null) {
    if (state === null) return { state: null, outputs: NO_OUTPUTS };
    const outputs: StepOutput[] = [{ type: 'status', key: ctx.key, keyStatus: null }];
    if (state.open !== null) {
      const event = driftEvent(
        ctx,
        state,
        null,
        null,
        'resolved',
        'in_sync',
        NO_DIFFERENCES,
        state.open.fingerprint,
        {
          lastDesiredGeneration,
          lastObservedResourceVersion,
          staleEpochMs: state.open.staleEpochMs,
          operationIds: [],
          sequence: state.sequence + 1,
        },
      );
      outputs.push({ type: 'drift', event });
    }
    return { state: null, outputs };
  }

  const open = state?.open ?? null;
  const fresh = ctx.freshness.fresh;
  let keyStatus: KeyStatus;
  let target: DriftCondition | null;
  if (!fresh) {
    keyStatus = 'unknown';
    target =
      open === null
        ? null
        : open.keyStatus === 'unknown'
          ? open
          : { keyStatus: 'unknown', differences: open.differences };
  } else if (observed === null) {
    keyStatus = 'missing';
    target =
      open !== null && open.keyStatus === 'missing' ? open : { keyStatus, differences: NO_DIFFERENCES };
  } else if (desired === null) {
    keyStatus = 'orphan';
    target = open !== null && open.keyStatus === 'orphan' ? open : { keyStatus, differences: NO_DIFFERENCES };
  } else {
    const differences = detectDrift(desired, observed);
    if (differences.length === 0) {
      keyStatus = 'in_sync';
      target = null;
    } else {
      keyStatus = 'drifting';
      target = { keyStatus, differences };
    }
  }

  let outputs: StepOutput[] | null = null;
  if (state === null || state.keyStatus !== keyStatus)
    outputs = [{ type: 'status', key: ctx.key, keyStatus }];

  let pending = state?.pending ?? null;
  let nextOpen = open;
  let sequence = state?.sequence ?? 0;
  if (sameCondition(target, open)) {
    pending = null;
  } else {
    if (pending === null || !sameCondition(pending.target, target)) pending = { target, sinceMs: now };
    const held = fresh && convergingSinceMs !== null && now - convergingSinceMs < config.convergenceGraceMs;
    if (!held && now - pending.sinceMs >= config.persistMs) {
      const status: DriftStatus = target === null ? 'resolved' : open === null ? 'opened' : 'changed';
      sequence += 1;
      const emitted = transition(ctx, state, desired, observed, status, target, open, {
        lastDesiredGeneration,
        lastObservedResourceVersion,
        sequence,
      });
      nextOpen = emitted.open;
      pending = null;
      (outputs ??= []).push(...emitted.outputs);
    }
  }

  const nextState: KeyState = {
    desired,
    observed,
    lastDesiredGeneration,
    lastObservedResourceVersion,
    convergingSinceMs,
    keyStatus,
    open: nextOpen,
    pending,
    sequence,
  };
  return { state: nextState, outputs: outputs ?? NO_OUTPUTS };
}

/**
 * seedOpenDrift sets a key's open drift from its latest event on the drift topic (the output
 * topic is the changelog of what is open): `opened`/`changed` → that drift is open (key status,
 * differences, fingerprint, operation ids); `resolved` → nothing is open. The sequence continues
 * from the event's. It evaluates nothing and emits nothing; any pending transition is dropped (it
 * was relative to the previous open drift), so the next input or tick recomputes it. A state
 * created by a seed has no desired or observed record: a tick on it alone resolves and drops it.
 * Known limit: an event does not carry the start of a stale period, so a seeded `unknown` drift
 * has `staleEpochMs` null (its later events may get ids a live run would not have given).
 */
export function seedOpenDrift(state: KeyState | null, event: DriftEvent): KeyState {
  const open: OpenDrift | null =
    event.status === 'resolved' || event.keyStatus === 'in_sync'
      ? null
      : {
          keyStatus: event.keyStatus,
          differences: event.differences,
          fingerprint: event.fingerprint,
          staleEpochMs: null,
          operationIds: [...event.operationIds],
        };
  return {
    desired: state?.desired ?? null,
    observed: state?.observed ?? null,
    lastDesiredGeneration: state?.lastDesiredGeneration ?? event.provenance.desiredGeneration,
    lastObservedResourceVersion:
      state?.lastObservedResourceVersion ?? event.provenance.observedResourceVersion,
    convergingSinceMs: state?.convergingSinceMs ?? null,
    keyStatus: state?.keyStatus ?? (open === null ? 'in_sync' : open.keyStatus),
    open,
    pending: null,
    sequence: Math.max(state?.sequence ?? 0, event.sequence),
  };
}

/**
 * nextDeadlineMs is the earliest time at which a `tick` can change this state (a pending
 * transition's persistence window or convergence grace ends), or null when only an input can.
 */
export function nextDeadlineMs(state: KeyState, config: ReconcilerConfig): number | null {
  const pending = state.pending;
  if (pending === null) return null;
  const persisted = pending.sinceMs + config.persistMs;
  const graceEnds =
    state.convergingSinceMs !== null && pending.target?.keyStatus !== 'unknown'
      ? state.convergingSinceMs + config.convergenceGraceMs
      : persisted;
  return Math.max(persisted, graceEnds);
}

/** isConverging tells whether an observed object is still being changed by its operator. */
export function isConverging(observed: ObservedDatabase): boolean {
  if (observed.phase !== null && CONVERGING_PHASES.has(observed.phase)) return true;
  return (
    observed.generation !== null &&
    observed.observedGeneration !== null &&
    observed.observedGeneration < observed.generation
  );
}

function sameCondition(a: DriftCondition | null, b: DriftCondition | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return a.keyStatus === b.keyStatus && sameDifferences(a.differences, b.differences);
}

interface IdContext {
  lastDesiredGeneration: number | null;
  lastObservedResourceVersion: string | null;
  sequence: number;
}

function transition(
  ctx: StepContext,
  state: KeyState | null,
  desired: DesiredView | null,
  observed: ObservedView | null,
  status: DriftStatus,
  target: DriftCondition | null,
  open: OpenDrift | null,
  ids: IdContext,
): { open: OpenDrift | null; outputs: StepOutput[] } {
  const staleEpochMs =
    target?.keyStatus === 'unknown'
      ? ctx.freshness.staleSinceMs
      : open?.keyStatus === 'unknown'
        ? open.staleEpochMs
        : null;
  if (target === null) {
    const event = driftEvent(
      ctx,
      state,
      desired,
      observed,
      status,
      'in_sync',
      NO_DIFFERENCES,
      open?.fingerprint ?? '',
      {
        ...ids,
        staleEpochMs,
        operationIds: [],
      },
    );
    return { open: null, outputs: [{ type: 'drift', event }] };
  }
  const fingerprint = driftFingerprint(target.keyStatus, target.differences);
  let operationIds: readonly string[];
  let created: readonly PlannedOperation[] = [];
  if (target.keyStatus === 'drifting' && desired !== null) {
    ({ operationIds, created } = planOperations(ctx.key, desired.generation, target.differences, open));
  } else {
    operationIds = target.keyStatus === 'unknown' && open !== null ? open.operationIds : NO_IDS;
  }
  const event = driftEvent(
    ctx,
    state,
    desired,
    observed,
    status,
    target.keyStatus,
    target.differences,
    fingerprint,
    {
      ...ids,
      staleEpochMs,
      operationIds: [...operationIds],
    },
  );
  const outputs: StepOutput[] = [{ type: 'drift', event }];
  if (desired !== null) {
    for (const o of created)
      outputs.push({ type: 'operation', operation: operation(o, desired, event, ctx.nowMs) });
  }
  return {
    open: {
      keyStatus: target.keyStatus,
      differences: target.differences,
      fingerprint,
      staleEpochMs,
      operationIds,
    },
    outputs,
  };
}

/**
 * planOperations gives each operation type among `differences` an operation: the outstanding one
 * of the open drift when it fixes the same target (same paths and desired values), else a new one.
 */
function planOperations(
  key: string,
  desiredGeneration: number,
  differences: readonly FieldDifference[],
  open: OpenDrift | null,
): { operationIds: string[]; created: PlannedOperation[] } {
  const operationIds: string[] = [];
  const created: PlannedOperation[] = [];
  const previousTypes =
    open === null || open.operationIds.length === 0 ? [] : operationTypes(open.differences);
  for (const type of OPERATION_ORDER) {
    const group = differences.filter((d) => d.remediation === type);
    if (group.length === 0) continue;
    const target = targetFingerprint(group);
    const index = previousTypes.indexOf(type);
    const previousId = index < 0 ? undefined : open?.operationIds[index];
    if (previousId !== undefined && open !== null) {
      const previousTarget = targetFingerprint(open.differences.filter((d) => d.remediation === type));
      if (previousTarget === target) {
        operationIds.push(previousId);
        continue;
      }
    }
    const id = operationId(key, desiredGeneration, target, type);
    operationIds.push(id);
    created.push({ type, operationId: id });
  }
  return { operationIds, created };
}

function operationTypes(differences: readonly FieldDifference[]): OperationType[] {
  return OPERATION_ORDER.filter((type) => differences.some((d) => d.remediation === type));
}

interface EventDetails extends IdContext {
  staleEpochMs: number | null;
  operationIds: string[];
}

function driftEvent(
  ctx: StepContext,
  state: KeyState | null,
  desired: DesiredView | null,
  observed: ObservedView | null,
  status: DriftStatus,
  keyStatus: KeyStatus,
  differences: readonly FieldDifference[],
  fingerprint: string,
  details: EventDetails,
): DriftEvent {
  const identity = identityOf(ctx.key);
  return {
    eventId: driftEventId({
      key: ctx.key,
      status,
      fingerprint,
      desiredGeneration: details.lastDesiredGeneration,
      observedResourceVersion: details.lastObservedResourceVersion,
      staleEpochMs: details.staleEpochMs,
    }),
    key: ctx.key,
    provider: identity.provider,
    namespace: identity.namespace,
    kind: identity.kind,
    name: identity.name,
    status,
    keyStatus,
    differences: [...differences],
    fingerprint,
    sequence: details.sequence,
    provenance: {
      desiredGeneration: desired?.generation ?? null,
      desiredSourceTimestampMs: desired?.sourceTimestampMs ?? null,
      observedResourceVersion: observed?.resourceVersion ?? null,
      observedGeneration: observed?.generation ?? null,
      observedSourceTimestampMs: observed?.sourceTimestampMs ?? null,
      observedAtMs: observed?.observedAtMs ?? null,
    },
    operationIds: details.operationIds,
    detectedAtMs: ctx.nowMs,
    correlationId:
      latestCorrelationId(desired, observed) ??
      latestCorrelationId(state?.desired ?? null, state?.observed ?? null) ??
      '',
  };
}

function latestCorrelationId(desired: DesiredView | null, observed: ObservedView | null): string | null {
  if (desired === null) return observed?.correlationId ?? null;
  if (observed === null) return desired.correlationId;
  return observed.observedAtMs >= desired.sourceTimestampMs ? observed.correlationId : desired.correlationId;
}

function operation(o: PlannedOperation, desired: DesiredView, event: DriftEvent, nowMs: number): Operation {
  return {
    operationId: o.operationId,
    key: event.key,
    provider: event.provider,
    namespace: event.namespace,
    kind: event.kind,
    name: event.name,
    type: o.type,
    opsRequestName: opsRequestName(o.operationId, o.type, event.name),
    spec: {
      replicas: o.type === 'HorizontalScaling' ? desired.replicas : null,
      version: o.type === 'UpdateVersion' ? desired.version : null,
      storage: o.type === 'VolumeExpansion' ? desired.storage : null,
      resources: o.type === 'VerticalScaling' ? { ...desired.resources } : null,
    },
    driftFingerprint: event.fingerprint,
    driftEventId: event.eventId,
    desiredGeneration: desired.generation,
    createdAtMs: nowMs,
    correlationId: desired.correlationId,
  };
}

/**
 * identityOf reads provider, namespace, kind and name from the key (the state keeps none of them:
 * they are in the key). Keys are validated by the producers; should one still be malformed, its
 * '/'-separated parts are used as they are rather than failing the whole partition.
 */
function identityOf(key: string): DatabaseKey {
  const parsed = safeParseKey(key);
  if (parsed.ok) return parsed.key;
  const [provider = '', namespace = '', kind = '', name = ''] = key.split('/');
  return { provider, namespace, kind, name };
}
