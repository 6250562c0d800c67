import { hash } from 'node:crypto';
import type { FieldDifference, KeyStatus, OperationType } from '@driftline/schemas';

// Field and record separators that cannot occur in keys, quantities or versions, so that two
// different tuples never serialise to the same text (no ambiguity, no collisions by concatenation).
const FS = '\u001f';
const RS = '\u001e';
const NULL = '\u0000';

// The one-shot form: no Hash object per digest (ids are computed for every emitted event and operation).
function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}

function part(value: string | number | null): string {
  return value === null ? NULL : String(value);
}

/**
 * driftFingerprint is the sha256 (hex) of a drift's key status and its differences, sorted by path,
 * each as path, normalised desired, normalised observed and remediation (the raw value stands in
 * where a value could not be normalised). Equal drifts — including `1Gi` vs `1024Mi` spellings —
 * have equal fingerprints; it does not depend on the order of `differences`.
 */
export function driftFingerprint(keyStatus: KeyStatus, differences: readonly FieldDifference[]): string {
  let text = keyStatus;
  for (const d of sortedByPath(differences)) {
    text +=
      RS +
      d.path +
      FS +
      part(d.desiredNormalized ?? d.desired) +
      FS +
      part(d.observedNormalized ?? d.observed) +
      FS +
      d.remediation;
  }
  return sha256(text);
}

/**
 * targetFingerprint is the sha256 (hex) of what an operation would set: the paths and normalised
 * desired values of `differences` (those of one operation type), sorted by path. It ignores the
 * observed values on purpose: while an OpsRequest converges, the observed value moves (3 → 4 → 5
 * replicas) but the operation that fixes it stays the same one.
 */
export function targetFingerprint(differences: readonly FieldDifference[]): string {
  let text = 'target';
  for (const d of sortedByPath(differences))
    text += RS + d.path + FS + part(d.desiredNormalized ?? d.desired);
  return sha256(text);
}

/**
 * Fingerprints already hashed for a differences array, by key status (drift fingerprints) and by
 * operation type (target fingerprints) — two disjoint sets of names. The rules' verdicts are
 * frozen arrays shared by every key with the same pair of specs (see verdictOf), so a drift that
 * many keys have is hashed once rather than on every event emitted for it. Weak: an array no
 * state holds any more takes its fingerprints with it.
 */
const remembered = new WeakMap<readonly FieldDifference[], Map<string, string>>();

function rememberedFingerprint(
  differences: readonly FieldDifference[],
  name: KeyStatus | OperationType,
  hashOf: () => string,
): string {
  let known = remembered.get(differences);
  const fingerprint = known?.get(name);
  if (fingerprint !== undefined) return fingerprint;
  const computed = hashOf();
  if (known === undefined) {
    known = new Map();
    remembered.set(differences, known);
  }
  known.set(name, computed);
  return computed;
}

/** driftFingerprintOf is `driftFingerprint`, remembered per differences array (which must never change). */
export function driftFingerprintOf(keyStatus: KeyStatus, differences: readonly FieldDifference[]): string {
  return rememberedFingerprint(differences, keyStatus, () => driftFingerprint(keyStatus, differences));
}

/**
 * targetFingerprintOf is the `targetFingerprint` of the differences of `differences` that `type`
 * fixes, remembered per differences array (which must never change).
 */
export function targetFingerprintOf(differences: readonly FieldDifference[], type: OperationType): string {
  return rememberedFingerprint(differences, type, () =>
    targetFingerprint(differences.filter((d) => d.remediation === type)),
  );
}

/**
 * operationId is the deterministic id of an operation: sha256 (hex) of the database key, the desired
 * generation, the fingerprint of the drift it fixes (the reconciler passes the target fingerprint,
 * see `targetFingerprint`) and the operation type. Re-detection and replay give the same id.
 */
export function operationId(
  key: string,
  desiredGeneration: number,
  fingerprint: string,
  type: OperationType,
): string {
  return sha256(['op', key, String(desiredGeneration), fingerprint, type].join(FS));
}

/**
 * DriftEventIdParts are the inputs a drift event id is derived from: everything that makes one drift
 * step different from another for the same key, and nothing that depends on processing history
 * (no sequence numbers, no wall-clock time), so a redelivered or replayed input gives the same id.
 */
export interface DriftEventIdParts {
  key: string;
  status: string;
  fingerprint: string;
  /** The desired generation the step was computed from, or the last one seen before a tombstone. */
  desiredGeneration: number | null;
  /** The observed resourceVersion the step was computed from, or the last one seen before a tombstone. */
  observedResourceVersion: string | null;
  /** The start of the provider's stale period a step into or out of `unknown` belongs to, else null. */
  staleEpochMs: number | null;
}

/** driftEventId is the deterministic id of a drift event: sha256 (hex) over `DriftEventIdParts`. */
export function driftEventId(parts: DriftEventIdParts): string {
  return sha256(
    [
      'drift',
      parts.key,
      parts.status,
      parts.fingerprint,
      part(parts.desiredGeneration),
      part(parts.observedResourceVersion),
      part(parts.staleEpochMs),
    ].join(FS),
  );
}

const TYPE_ABBREVIATIONS: Record<OperationType, string> = {
  HorizontalScaling: 'hscale',
  VerticalScaling: 'vscale',
  VolumeExpansion: 'volexp',
  UpdateVersion: 'upgrade',
};

/** OPS_REQUEST_NAME_MAX_LENGTH is the DNS-1123 label limit, so the name also fits any label value. */
export const OPS_REQUEST_NAME_MAX_LENGTH = 63;
const ID_CHARS = 16; // 64 bits of the operation id: collision-free for any realistic number of operations per namespace.

/**
 * opsRequestName derives the KubeDB OpsRequest `metadata.name` from an operation: `dl-<type>-<name>-<id16>`,
 * a DNS-1123 label (lower-case alphanumerics and '-', starting and ending alphanumeric, at most 63
 * characters). The database name is sanitised and truncated; the 16 hex characters of the operation
 * id keep the name unique and deterministic.
 */
export function opsRequestName(operationIdHex: string, type: OperationType, databaseName: string): string {
  const prefix = `dl-${TYPE_ABBREVIATIONS[type]}-`;
  const suffix = operationIdHex.slice(0, ID_CHARS).toLowerCase();
  const room = OPS_REQUEST_NAME_MAX_LENGTH - prefix.length - suffix.length - 1;
  const name = databaseName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, room)
    .replace(/^-+|-+$/g, '');
  return name === '' ? `${prefix}${suffix}` : `${prefix}${name}-${suffix}`;
}

function sortedByPath(differences: readonly FieldDifference[]): readonly FieldDifference[] {
  for (let i = 1; i < differences.length; i++) {
    if ((differences[i - 1]?.path ?? '') > (differences[i]?.path ?? '')) {
      return [...differences].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    }
  }
  return differences;
}
