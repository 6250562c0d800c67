import { DriftlineError } from '@driftline/shared/errors';

/**
 * kubeError maps a Kubernetes API answer to the `DriftlineError` the reflector reasons about:
 * 410 → `K8S_GONE`, 429 → `K8S_RATE_LIMITED` (with `retryAfterMs` from Retry-After), 401/403 →
 * `K8S_FORBIDDEN`, anything else → `K8S_UNAVAILABLE` (retryable). A timeout is `TIMEOUT`.
 */
export function kubeError(
  status: number | undefined,
  retryAfter: string | null,
  cause?: unknown,
): DriftlineError {
  if (status === undefined) {
    const name = cause instanceof Error ? cause.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new DriftlineError('TIMEOUT', 'Kubernetes API request timed out', { cause });
    }
    return new DriftlineError('K8S_UNAVAILABLE', 'Kubernetes API unreachable', { cause });
  }
  const details = { status };
  if (status === 410)
    return new DriftlineError('K8S_GONE', 'resourceVersion expired (410 Gone)', { details });
  if (status === 429) {
    const seconds = retryAfter === null ? NaN : Number(retryAfter);
    return new DriftlineError('K8S_RATE_LIMITED', 'Kubernetes API throttled the request (429)', {
      details: Number.isFinite(seconds) ? { status, retryAfterMs: seconds * 1000 } : details,
    });
  }
  if (status === 401 || status === 403) {
    return new DriftlineError('K8S_FORBIDDEN', `Kubernetes API refused the credentials (${status})`, {
      details,
    });
  }
  return new DriftlineError('K8S_UNAVAILABLE', `Kubernetes API answered ${status}`, { details });
}
