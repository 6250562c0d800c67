import type { DesiredDatabase, FieldDifference, ObservedDatabase, Remediation } from '@driftline/schemas';
import {
  compareQuantity,
  formatCanonical,
  safeParseQuantity,
  type Quantity,
} from '@driftline/shared/quantity';

/**
 * Comparator names how a rule compares its two values: `exact` (string equality), `quantity`
 * (Kubernetes quantities compared exactly after normalisation, `1Gi` = `1024Mi`), `boolean`, `int`.
 */
export type Comparator = 'exact' | 'quantity' | 'boolean' | 'int';

/** DesiredFields are the desired-record fields the drift rules read (a full record or a DesiredView). */
export type DesiredFields = Pick<
  DesiredDatabase,
  'kind' | 'version' | 'replicas' | 'storage' | 'halted' | 'resources'
>;

/** ObservedFields are the observed-record fields the drift rules read (a full record or an ObservedView). */
export type ObservedFields = Pick<
  ObservedDatabase,
  'valid' | 'invalidReason' | 'kind' | 'version' | 'replicas' | 'storage' | 'halted' | 'resources'
>;

/** RuleValue is what a rule reads from a record: a raw field value, or null when unset. */
export type RuleValue = string | number | boolean | null;

/**
 * DriftRule is one row of the drift table: which field, how to read it on each side, how to compare
 * it, and which KubeDB OpsRequest fixes a difference.
 *
 * - A desired value of `null` means "not constrained by the platform": the rule never reports it.
 * - `whenObservedAbsent` is the remediation when the cluster reports no value at all (default:
 *   `remediation`), e.g. a volume cannot be expanded when the resource has no storage spec.
 * - `whenObservedLarger` is the remediation when an ordered value (a quantity) is larger on the
 *   cluster than desired, e.g. storage: KubeDB can expand a volume but never shrink it.
 * - An unparsable quantity on either side is a difference needing `Manual` action, never an error.
 */
export interface DriftRule {
  readonly path: string;
  readonly comparator: Comparator;
  readonly desired: (record: DesiredFields) => RuleValue;
  readonly observed: (record: ObservedFields) => RuleValue;
  readonly remediation: Remediation;
  readonly whenObservedAbsent?: Remediation;
  readonly whenObservedLarger?: Remediation;
}

/**
 * DRIFT_RULES is the drift table, one row per compared field, sorted by path so that
 * `detectDrift` returns differences in a stable order. Adding a field is one line here.
 *
 * Decisions: `spec.halted` is `Manual` — KubeDB has no OpsRequest that halts or resumes a database
 * (it is a patch of the custom resource's `spec.halted`, a decision with data-loss consequences a
 * human owns). `spec.kind` (an engine change) is `Manual` — no OpsRequest migrates an engine.
 */
// prettier-ignore
export const DRIFT_RULES: readonly DriftRule[] = sortByPath([
  { path: 'spec.kind', comparator: 'exact', desired: (d) => d.kind, observed: (o) => o.kind, remediation: 'Manual' },
  { path: 'spec.version', comparator: 'exact', desired: (d) => d.version, observed: (o) => o.version, remediation: 'UpdateVersion' },
  { path: 'spec.replicas', comparator: 'int', desired: (d) => d.replicas, observed: (o) => o.replicas, remediation: 'HorizontalScaling' },
  { path: 'spec.storage', comparator: 'quantity', desired: (d) => d.storage, observed: (o) => o.storage, remediation: 'VolumeExpansion', whenObservedAbsent: 'Manual', whenObservedLarger: 'Manual' },
  { path: 'spec.halted', comparator: 'boolean', desired: (d) => d.halted, observed: (o) => o.halted, remediation: 'Manual' },
  { path: 'resources.cpuRequest', comparator: 'quantity', desired: (d) => d.resources.cpuRequest, observed: (o) => o.resources.cpuRequest, remediation: 'VerticalScaling' },
  { path: 'resources.cpuLimit', comparator: 'quantity', desired: (d) => d.resources.cpuLimit, observed: (o) => o.resources.cpuLimit, remediation: 'VerticalScaling' },
  { path: 'resources.memoryRequest', comparator: 'quantity', desired: (d) => d.resources.memoryRequest, observed: (o) => o.resources.memoryRequest, remediation: 'VerticalScaling' },
  { path: 'resources.memoryLimit', comparator: 'quantity', desired: (d) => d.resources.memoryLimit, observed: (o) => o.resources.memoryLimit, remediation: 'VerticalScaling' },
]);

/** INVALID_OBSERVED_PATH is the path of the single difference reported for an observed record the watcher could not convert. */
export const INVALID_OBSERVED_PATH = 'observed.valid';

const NO_DIFFERENCES: readonly FieldDifference[] = Object.freeze([]);

/**
 * detectDrift compares one desired and one observed record field by field with `rules` and returns
 * the differences, in rule (path) order; an empty array means in sync. It never throws on bad
 * data: an unparsable quantity is a `Manual` difference with a `null` normalised value, and an
 * observed record marked invalid by the watcher yields one `observed.valid` difference (its other
 * fields cannot be trusted). Values equal as raw text are equal without parsing (the hot path).
 */
export function detectDrift(
  desired: DesiredFields,
  observed: ObservedFields,
  rules: readonly DriftRule[] = DRIFT_RULES,
): readonly FieldDifference[] {
  if (!observed.valid) {
    return [
      {
        path: INVALID_OBSERVED_PATH,
        desired: 'true',
        observed: observed.invalidReason ?? 'false',
        desiredNormalized: 'true',
        observedNormalized: 'false',
        remediation: 'Manual',
      },
    ];
  }
  let differences: FieldDifference[] | null = null;
  for (const rule of rules) {
    const d = rule.desired(desired);
    if (d === null) continue;
    const o = rule.observed(observed);
    if (d === o) continue;
    const difference = compareValues(rule, d, o);
    if (difference !== null) (differences ??= []).push(difference);
  }
  return differences ?? NO_DIFFERENCES;
}

function compareValues(rule: DriftRule, d: string | number | boolean, o: RuleValue): FieldDifference | null {
  const desiredRaw = String(d);
  const observedRaw = o === null ? null : String(o);
  if (rule.comparator !== 'quantity') {
    // exact, int and boolean values are already in canonical form: String() is their normal form.
    if (observedRaw === null) return difference(rule, desiredRaw, null, desiredRaw, null, absent(rule));
    return difference(rule, desiredRaw, observedRaw, desiredRaw, observedRaw, rule.remediation);
  }
  const dq = normalized(desiredRaw);
  if (observedRaw === null) {
    return difference(
      rule,
      desiredRaw,
      null,
      dq?.canonical ?? null,
      null,
      dq === null ? 'Manual' : absent(rule),
    );
  }
  const oq = normalized(observedRaw);
  if (dq === null || oq === null) {
    return difference(rule, desiredRaw, observedRaw, dq?.canonical ?? null, oq?.canonical ?? null, 'Manual');
  }
  if (dq.canonical === oq.canonical) return null; // canonical text is unique per value
  const larger = compareQuantity(oq.quantity, dq.quantity) > 0;
  const remediation =
    larger && rule.whenObservedLarger !== undefined ? rule.whenObservedLarger : rule.remediation;
  return difference(rule, desiredRaw, observedRaw, dq.canonical, oq.canonical, remediation);
}

function absent(rule: DriftRule): Remediation {
  return rule.whenObservedAbsent ?? rule.remediation;
}

function difference(
  rule: DriftRule,
  desired: string,
  observed: string | null,
  desiredNormalized: string | null,
  observedNormalized: string | null,
  remediation: Remediation,
): FieldDifference {
  return { path: rule.path, desired, observed, desiredNormalized, observedNormalized, remediation };
}

interface NormalizedQuantity {
  readonly quantity: Quantity;
  readonly canonical: string;
}

/**
 * Quantities seen by the rules are few and repeat across keys and events ("500m", "10Gi"), while
 * parsing one exactly costs microseconds; so each raw text is parsed once and remembered.
 * Bounded: when the cache is full it is emptied and refilled (values are pure functions of the
 * text, so forgetting is always correct).
 */
const QUANTITY_CACHE_LIMIT = 8_192;
const quantityCache = new Map<string, NormalizedQuantity | null>();

function normalized(raw: string): NormalizedQuantity | null {
  const known = quantityCache.get(raw);
  if (known !== undefined) return known;
  // An unparsable quantity is reported as a Manual difference by the caller, not thrown.
  const result = safeParseQuantity(raw);
  const value = result.ok ? { quantity: result.quantity, canonical: formatCanonical(result.quantity) } : null;
  if (quantityCache.size >= QUANTITY_CACHE_LIMIT) quantityCache.clear();
  quantityCache.set(raw, value);
  return value;
}

/**
 * sameDifferences tells whether two difference lists describe the same drift: same paths, same
 * normalised values and same remediations, in the same order. Raw spellings are ignored (`1Gi`
 * rewritten as `1024Mi` is no change).
 */
export function sameDifferences(a: readonly FieldDifference[], b: readonly FieldDifference[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (
      x === undefined ||
      y === undefined ||
      x.path !== y.path ||
      x.desiredNormalized !== y.desiredNormalized ||
      x.observedNormalized !== y.observedNormalized ||
      x.remediation !== y.remediation ||
      (x.desiredNormalized === null && x.desired !== y.desired) ||
      (x.observedNormalized === null && x.observed !== y.observed)
    ) {
      return false;
    }
  }
  return true;
}

function sortByPath(rules: DriftRule[]): readonly DriftRule[] {
  return Object.freeze([...rules].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
}
