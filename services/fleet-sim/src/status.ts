import { KUBEDB_GROUP } from './kinds.ts';

/** StatusReason is the closed set of `reason`s the simulated API server answers with. */
export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Expired'
  | 'Gone'
  | 'TooManyRequests'
  | 'InternalError'
  | 'BadRequest'
  | 'Invalid'
  | 'Unauthorized'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'Timeout';

/** KubeStatus is a `meta.k8s.io/v1` Status object, the body of every error response. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: StatusReason;
  details?: { name?: string; group?: string; kind?: string; retryAfterSeconds?: number };
  code: number;
}

const CODES: Record<StatusReason, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Expired: 410,
  Gone: 410,
  TooManyRequests: 429,
  InternalError: 500,
  BadRequest: 400,
  Invalid: 422,
  Unauthorized: 401,
  MethodNotAllowed: 405,
  UnsupportedMediaType: 415,
  Timeout: 504,
};

/**
 * failure builds a Status for `reason` with the HTTP code the API server uses for it. `plural` and
 * `name` fill `details` the way the API server does (`mongodbs.kubedb.com "x" not found`).
 */
export function failure(
  reason: StatusReason,
  message: string,
  resource?: { plural: string; name?: string },
  extra?: { retryAfterSeconds?: number },
): KubeStatus {
  const status: KubeStatus = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code: CODES[reason],
  };
  if (resource !== undefined || extra !== undefined) {
    status.details = {
      ...(resource?.name !== undefined ? { name: resource.name } : {}),
      ...(resource !== undefined ? { group: KUBEDB_GROUP, kind: resource.plural } : {}),
      ...(extra?.retryAfterSeconds !== undefined ? { retryAfterSeconds: extra.retryAfterSeconds } : {}),
    };
  }
  return status;
}

/** notFound is the 404 Status for a missing object. */
export function notFound(plural: string, name: string): KubeStatus {
  return failure('NotFound', `${plural}.${KUBEDB_GROUP} "${name}" not found`, { plural, name });
}

/** alreadyExists is the 409 Status for a create whose name is taken. */
export function alreadyExists(plural: string, name: string): KubeStatus {
  return failure('AlreadyExists', `${plural}.${KUBEDB_GROUP} "${name}" already exists`, { plural, name });
}

/** conflict is the 409 Status for a write whose resourceVersion precondition failed. */
export function conflict(plural: string, name: string): KubeStatus {
  return failure(
    'Conflict',
    `Operation cannot be fulfilled on ${plural}.${KUBEDB_GROUP} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { plural, name },
  );
}

/** tooOldResourceVersion is the 410 Expired Status a watch or list from a compacted revision gets. */
export function tooOldResourceVersion(requested: number, oldest: number): KubeStatus {
  return failure('Expired', `too old resource version: ${requested} (${oldest})`);
}

/** expiredContinue is the 410 Expired Status for a continue token whose snapshot was compacted. */
export function expiredContinue(): KubeStatus {
  return failure(
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
  );
}

/** isStatus tells a Status apart from a successful result. */
export function isStatus(value: unknown): value is KubeStatus {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Status';
}
