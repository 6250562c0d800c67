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
  driftFingerprintOf,
  operationId,
  opsRequestName,
  targetFingerprintOf,
} from './fingerprint.ts';
import type { Freshness } from './freshness.ts';
import { desiredSpec, observedSpec, type DesiredSpec, type ObservedSpec } from './record-view.ts';
import { isNewerOrSameDesired, isNewerOrSameObserved, revisionOf } from './monotonic.ts';
import { sameDifferences } from './rules.ts';
import { verdictOf } from './verdict.ts';

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
 * KeyState is everything the reconciler keeps for one database key, in one flat object: a step
 * reads one state per input, and on a fleet of keys hit in random order each separate object a
 * step touches is a cache (and TLB) miss — so the records' kept fields live here rather than in
 * per-record objects. `step` never changes one (it returns a new one); only `stepInPlace`, for
 * the owner of a state, does. Its size is bounded by the key, not by the number of events.
 */
export interface KeyState {
  /** What the drift rules compare in the latest desired record (interned, shared), or null when there is none. */
  readonly desiredSpec: DesiredSpec | null;
  /** Generation of the latest desired record; kept after a tombstone so ids of later events stay distinct. */
  readonly desiredGeneration: number | null;
  /** The latest desired record's clusterTime, sourceTimestampMs and correlationId (null without one). */
  readonly desiredClusterTime: string | null;
  readonly desiredSourceTimestampMs: number | null;
  readonly desiredCorrelationId: string | null;
  /** What the drift rules compare in the latest observed record (interned, shared), or null when there is none. */
  readonly observedSpec: ObservedSpec | null;
  /** resourceVersion of the latest observed record; kept after a tombstone for the same reason. */
  readonly observedResourceVersion: string | null;
  /** The latest observed record's resourceVersion as a small integer (see revisionOf), or null. */
  readonly observedRevision: number | null;
  /** The latest observed record's uid, generation, timestamps and correlationId (null without one). */
  readonly observedUid: string | null;
  readonly observedGeneration: number | null;
  readonly observedSourceTimestampMs: number | null;
  readonly observedAtMs: number | null;
  readonly observedCorrelationId: string | null;
  /** When the observed object started converging, or null when it is settled. */
  readonly convergingSinceMs: number | null;
  /** The key status right now (not debounced). */
  readonly keyStatus: KeyStatus;
  /**
   * The drift rules' verdict on `desiredSpec` and `observedSpec` (empty = in sync), or null when
   * not computed (a side missing, or the specs changed while the provider was stale). Kept so that
   * an input changing no compared field — a resync, a re-write — skips the rules: specs are
   * interned, so "unchanged" is a reference comparison, and the rules are a pure function of them.
   */
  readonly differences: readonly FieldDifference[] | null;
  readonly open: OpenDrift | null;
  readonly pending: PendingTransition | null;
  /** Number of drift events emitted for this key in this state's lifetime. */
  readonly sequence: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** EMPTY is the state of a key nothing is known about, the starting point of a new key's first step. */
const EMPTY: KeyState = Object.freeze({
  desiredSpec: null,
  desiredGeneration: null,
  desiredClusterTime: null,
  desiredSourceTimestampMs: null,
  desiredCorrelationId: null,
  observedSpec: null,
  observedResourceVersion: null,
  observedRevision: null,
  observedUid: null,
  observedGeneration: null,
  observedSourceTimestampMs: null,
  observedAtMs: null,
  observedCorrelationId: null,
  convergingSinceMs: null,
  keyStatus: 'in_sync',
  differences: null,
  open: null,
  pending: null,
  sequence: 0,
});

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
  // A copy of the state (never the state itself: step is pure), updated field by field.
  const result = advance(state === null ? null : copyState(state), input, ctx, config);
  return result === UNCHANGED ? { state, outputs: NO_OUTPUTS } : result;
}

/**
 * stepInPlace is `step` for a caller that owns `state` exclusively and never reads it again except
 * through the result: the same result as `step`, but the new state may be `state` itself, updated
 * in place. It exists for the topology's table, where a state is reachable only from its key's
 * entry: there, copying the state on every input (most inputs change a few provenance fields)
 * makes a new object per input that survives a young-generation GC, and moves the state away
 * from its key in memory. Nothing else can tell the difference (see the step property tests).
 */
export function stepInPlace(
  state: KeyState | null,
  input: KeyInput,
  ctx: StepContext,
  config: ReconcilerConfig,
): StepResult {
  if (input.type === 'seed') return { state: seedOpenDrift(state, input.event), outputs: NO_OUTPUTS };
  const result = advance(state as Mutable<KeyState> | null, input, ctx, config);
  return result === UNCHANGED ? { state, outputs: NO_OUTPUTS } : result;
}

/** UNCHANGED is advance's answer for an input that changes nothing (an older record): the caller keeps its state. */
const UNCHANGED: StepResult = Object.freeze({ state: null, outputs: NO_OUTPUTS });

/**
 * advance applies a desired, observed or tick input to `next`, the key's state (null for a new
 * key), updating it field by field, and returns the new state and the outputs — or UNCHANGED,
 * before touching `next`, when the input is ignored. Whatever it needs of the state as it was
 * (specs, verdict, status, correlation id) it reads before writing, so `next` may be the caller's
 * copy or the state itself.
 */
function advance(
  current: Mutable<KeyState> | null,
  input: Exclude<KeyInput, { type: 'seed' }>,
  ctx: StepContext,
  config: ReconcilerConfig,
): StepResult {
  if (current === null && input.type === 'tick') return { state: null, outputs: NO_OUTPUTS };
  const isNew = current === null;
  const next = current ?? copyState(EMPTY);
  const now = ctx.nowMs;
  const previousDesired = next.desiredSpec;
  const previousObserved = next.observedSpec;
  const previousDifferences = next.differences;
  const previousKeyStatus = next.keyStatus;
  // The correlation id of the records a tombstone removes: a `resolved` event for a key whose
  // records are all gone carries the last one it had.
  let removedCorrelationId: string | null = null;

  if (input.type === 'desired') {
    const record = input.value;
    if (record === null) {
      removedCorrelationId = latestCorrelationId(next);
      clearDesired(next);
    } else {
      if (next.desiredSpec !== null && !isNewerOrSameDesired(record, desiredOrder(next))) return UNCHANGED;
      next.desiredSpec = desiredSpec(record, next.desiredSpec);
      next.desiredGeneration = record.generation;
      next.desiredClusterTime = record.clusterTime;
      next.desiredSourceTimestampMs = record.sourceTimestampMs;
      next.desiredCorrelationId = record.correlationId;
    }
  } else if (input.type === 'observed') {
    const record = input.value;
    if (record === null) {
      removedCorrelationId = latestCorrelationId(next);
      clearObserved(next);
    } else {
      const revision = revisionOf(record.resourceVersion);
      const newerRevision =
        revision !== null && next.observedRevision !== null && revision >= next.observedRevision;
      if (next.observedSpec !== null && !newerRevision && !isNewerOrSameObserved(record, observedOrder(next)))
        return UNCHANGED;
      next.observedSpec = observedSpec(record, next.observedSpec);
      next.observedResourceVersion = record.resourceVersion;
      next.observedRevision = revision;
      next.observedUid = record.uid;
      next.observedGeneration = record.generation;
      next.observedSourceTimestampMs = record.sourceTimestampMs;
      next.observedAtMs = record.observedAtMs;
      next.observedCorrelationId = record.correlationId;
      next.convergingSinceMs = isConverging(record) ? (next.convergingSinceMs ?? now) : null;
    }
  }
  const desired = next.desiredSpec;
  const observed = next.observedSpec;
  const open = next.open;

  if (desired === null && observed === null) {
    if (isNew) return { state: null, outputs: NO_OUTPUTS };
    const outputs: StepOutput[] = [{ type: 'status', key: ctx.key, keyStatus: null }];
    if (open !== null) {
      const event = driftEvent(
        ctx,
        next,
        removedCorrelationId,
        'resolved',
        'in_sync',
        NO_DIFFERENCES,
        open.fingerprint,
        {
          staleEpochMs: open.staleEpochMs,
          operationIds: [],
          sequence: next.sequence + 1,
        },
      );
      outputs.push({ type: 'drift', event });
    }
    return { state: null, outputs };
  }

  const fresh = ctx.freshness.fresh;
  // The rules' verdict: the kept one when neither spec changed (by reference: specs are interned),
  // else that of the new pair (see verdictOf) — only while the provider is fresh, since stale data
  // is never compared.
  // Null when a side is missing or nothing was computed.
  const differences =
    desired === null || observed === null
      ? null
      : previousDifferences !== null && previousDesired === desired && previousObserved === observed
        ? previousDifferences
        : fresh
          ? verdictOf(desired, observed)
          : null;
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
  } else if (
    !isNew &&
    differences !== null &&
    differences === previousDifferences &&
    (previousKeyStatus === 'in_sync' || previousKeyStatus === 'drifting')
  ) {
    // The previous step's verdict, reached fresh: the same status, and — unless a transition is
    // pending — a condition the open drift already has (that step left them equal, or emitted it).
    // Deciding this from the state alone reads neither the differences nor the open drift.
    keyStatus = previousKeyStatus;
    target = keyStatus === 'in_sync' ? null : next.pending === null ? open : { keyStatus, differences };
  } else if (differences === null || differences.length === 0) {
    keyStatus = 'in_sync';
    target = null;
  } else {
    keyStatus = 'drifting';
    // The open drift itself when nothing changed, so sameCondition below is one reference check.
    target =
      open !== null && open.keyStatus === keyStatus && open.differences === differences
        ? open
        : { keyStatus, differences };
  }
  next.differences = differences;

  let outputs: StepOutput[] | null = null;
  if (isNew || previousKeyStatus !== keyStatus) outputs = [{ type: 'status', key: ctx.key, keyStatus }];
  next.keyStatus = keyStatus;

  if (sameCondition(target, open)) {
    next.pending = null;
  } else {
    let pending = next.pending;
    if (pending === null || !sameCondition(pending.target, target)) pending = { target, sinceMs: now };
    next.pending = pending;
    const converging = next.convergingSinceMs;
    const held = fresh && converging !== null && now - converging < config.convergenceGraceMs;
    if (!held && now - pending.sinceMs >= config.persistMs) {
      const status: DriftStatus = target === null ? 'resolved' : open === null ? 'opened' : 'changed';
      next.sequence += 1;
      const emitted = transition(ctx, next, status, target, open);
      next.open = emitted.open;
      next.pending = null;
      (outputs ??= []).push(...emitted.outputs);
    }
  }
  return { state: next, outputs: outputs ?? NO_OUTPUTS };
}

/**
 * copyState copies a state field by field. Written out rather than spread: every state then has the
 * one hidden class of this literal, so field accesses stay monomorphic (a spread of states whose
 * fields were generalised over time — null, then a number — went through the generic copy).
 */
function copyState(s: KeyState): Mutable<KeyState> {
  return {
    desiredSpec: s.desiredSpec,
    desiredGeneration: s.desiredGeneration,
    desiredClusterTime: s.desiredClusterTime,
    desiredSourceTimestampMs: s.desiredSourceTimestampMs,
    desiredCorrelationId: s.desiredCorrelationId,
    observedSpec: s.observedSpec,
    observedResourceVersion: s.observedResourceVersion,
    observedRevision: s.observedRevision,
    observedUid: s.observedUid,
    observedGeneration: s.observedGeneration,
    observedSourceTimestampMs: s.observedSourceTimestampMs,
    observedAtMs: s.observedAtMs,
    observedCorrelationId: s.observedCorrelationId,
    convergingSinceMs: s.convergingSinceMs,
    keyStatus: s.keyStatus,
    differences: s.differences,
    open: s.open,
    pending: s.pending,
    sequence: s.sequence,
  };
}

function clearDesired(next: Mutable<KeyState>): void {
  // desiredGeneration stays: it keeps the ids of later events distinct.
  next.desiredSpec = null;
  next.desiredClusterTime = null;
  next.desiredSourceTimestampMs = null;
  next.desiredCorrelationId = null;
}

function clearObserved(next: Mutable<KeyState>): void {
  // observedResourceVersion stays: it keeps the ids of later events distinct.
  next.observedSpec = null;
  next.observedRevision = null;
  next.observedUid = null;
  next.observedGeneration = null;
  next.observedSourceTimestampMs = null;
  next.observedAtMs = null;
  next.observedCorrelationId = null;
  next.convergingSinceMs = null;
}

/** desiredOrder is what orders the held desired record against a newer one (see isNewerOrSameDesired). */
function desiredOrder(state: KeyState): Pick<DesiredDatabase, 'generation' | 'clusterTime'> {
  return { generation: state.desiredGeneration ?? 0, clusterTime: state.desiredClusterTime };
}

/** observedOrder is what orders the held observed record against a newer one (see isNewerOrSameObserved). */
function observedOrder(state: KeyState): Pick<ObservedDatabase, 'uid' | 'resourceVersion'> {
  return { uid: state.observedUid, resourceVersion: state.observedResourceVersion ?? '' };
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
  const next = copyState(state ?? EMPTY);
  next.desiredGeneration ??= event.provenance.desiredGeneration;
  next.observedResourceVersion ??= event.provenance.observedResourceVersion;
  next.keyStatus = state?.keyStatus ?? (open === null ? 'in_sync' : open.keyStatus);
  // The seeded drift need not match the kept verdict: the next step runs the rules again.
  next.differences = null;
  next.open = open;
  next.pending = null;
  next.sequence = Math.max(next.sequence, event.sequence);
  return next;
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

/**
 * transition emits `status` towards `target` (null = in sync) from `open`: the drift event, and for
 * a drifting target the operations it needs. `next` is the key's new state so far (its sequence
 * already counts this event; it holds at least one record).
 */
function transition(
  ctx: StepContext,
  next: KeyState,
  status: DriftStatus,
  target: DriftCondition | null,
  open: OpenDrift | null,
): { open: OpenDrift | null; outputs: StepOutput[] } {
  const staleEpochMs =
    target?.keyStatus === 'unknown'
      ? ctx.freshness.staleSinceMs
      : open?.keyStatus === 'unknown'
        ? open.staleEpochMs
        : null;
  if (target === null) {
    const event = driftEvent(ctx, next, null, status, 'in_sync', NO_DIFFERENCES, open?.fingerprint ?? '', {
      staleEpochMs,
      operationIds: [],
      sequence: next.sequence,
    });
    return { open: null, outputs: [{ type: 'drift', event }] };
  }
  const fingerprint = driftFingerprintOf(target.keyStatus, target.differences);
  const desired = next.desiredSpec;
  const desiredGeneration = next.desiredGeneration ?? 0;
  let operationIds: readonly string[];
  let created: readonly PlannedOperation[] = [];
  if (target.keyStatus === 'drifting' && desired !== null) {
    ({ operationIds, created } = planOperations(ctx.key, desiredGeneration, target.differences, open));
  } else {
    operationIds = target.keyStatus === 'unknown' && open !== null ? open.operationIds : NO_IDS;
  }
  const event = driftEvent(ctx, next, null, status, target.keyStatus, target.differences, fingerprint, {
    staleEpochMs,
    operationIds: [...operationIds],
    sequence: next.sequence,
  });
  const outputs: StepOutput[] = [{ type: 'drift', event }];
  if (desired !== null) {
    for (const o of created)
      outputs.push({
        type: 'operation',
        operation: operation(
          o,
          desired,
          desiredGeneration,
          next.desiredCorrelationId ?? '',
          event,
          ctx.nowMs,
        ),
      });
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
    if (!differences.some((d) => d.remediation === type)) continue;
    const target = targetFingerprintOf(differences, type);
    const index = previousTypes.indexOf(type);
    const previousId = index < 0 ? undefined : open?.operationIds[index];
    if (previousId !== undefined && open !== null) {
      if (targetFingerprintOf(open.differences, type) === target) {
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

interface EventDetails {
  staleEpochMs: number | null;
  operationIds: string[];
  sequence: number;
}

/**
 * driftEvent builds a drift event from the key's new state `next` (provenance: its records);
 * `removedCorrelationId` (that of the records a tombstone just removed) stands in when `next`
 * holds no record any more.
 */
function driftEvent(
  ctx: StepContext,
  next: KeyState,
  removedCorrelationId: string | null,
  status: DriftStatus,
  keyStatus: KeyStatus,
  differences: readonly FieldDifference[],
  fingerprint: string,
  details: EventDetails,
): DriftEvent {
  const identity = identityOf(ctx.key);
  const hasDesired = next.desiredSpec !== null;
  const hasObserved = next.observedSpec !== null;
  return {
    eventId: driftEventId({
      key: ctx.key,
      status,
      fingerprint,
      desiredGeneration: next.desiredGeneration,
      observedResourceVersion: next.observedResourceVersion,
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
      desiredGeneration: hasDesired ? next.desiredGeneration : null,
      desiredSourceTimestampMs: hasDesired ? next.desiredSourceTimestampMs : null,
      observedResourceVersion: hasObserved ? next.observedResourceVersion : null,
      observedGeneration: next.observedGeneration,
      observedSourceTimestampMs: next.observedSourceTimestampMs,
      observedAtMs: next.observedAtMs,
    },
    operationIds: details.operationIds,
    detectedAtMs: ctx.nowMs,
    correlationId: latestCorrelationId(next) ?? removedCorrelationId ?? '',
  };
}

/** latestCorrelationId is the correlation id of the more recent of a state's records, or null without any. */
function latestCorrelationId(state: KeyState): string | null {
  if (state.desiredSpec === null) return state.observedSpec === null ? null : state.observedCorrelationId;
  if (state.observedSpec === null) return state.desiredCorrelationId;
  return (state.observedAtMs ?? 0) >= (state.desiredSourceTimestampMs ?? 0)
    ? state.observedCorrelationId
    : state.desiredCorrelationId;
}

function operation(
  o: PlannedOperation,
  desired: DesiredSpec,
  desiredGeneration: number,
  correlationId: string,
  event: DriftEvent,
  nowMs: number,
): Operation {
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
    desiredGeneration,
    createdAtMs: nowMs,
    correlationId,
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
