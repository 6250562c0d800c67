/**
 * errorCodes is the closed catalogue of driftline error codes. Each entry says whether an error
 * with that code is worth retrying by default and, when it is not, whether the unit of work is
 * dead-lettered (a bad input: the process carries on) or the process crashes (a broken
 * deployment: restarting under the orchestrator's backoff is the only sensible move).
 * Adding a code is one line here.
 */
export const errorCodes = {
  CONFIG_INVALID: { retryable: false, permanent: 'crash' },
  KAFKA_UNAVAILABLE: { retryable: true, permanent: 'crash' },
  KAFKA_FATAL: { retryable: false, permanent: 'crash' },
  SCHEMA_INCOMPATIBLE: { retryable: false, permanent: 'dead-letter' },
  SERDE_FAILED: { retryable: false, permanent: 'dead-letter' },
  MONGO_UNAVAILABLE: { retryable: true, permanent: 'crash' },
  MONGO_AUTH: { retryable: false, permanent: 'crash' },
  MONGO_WRITE_REJECTED: { retryable: false, permanent: 'dead-letter' },
  K8S_UNAVAILABLE: { retryable: true, permanent: 'dead-letter' },
  K8S_GONE: { retryable: true, permanent: 'dead-letter' },
  K8S_RATE_LIMITED: { retryable: true, permanent: 'dead-letter' },
  K8S_FORBIDDEN: { retryable: false, permanent: 'dead-letter' },
  KUBECONFIG_REFUSED: { retryable: false, permanent: 'dead-letter' },
  QUANTITY_INVALID: { retryable: false, permanent: 'dead-letter' },
  KEY_INVALID: { retryable: false, permanent: 'dead-letter' },
  INPUT_INVALID: { retryable: false, permanent: 'dead-letter' },
  TIMEOUT: { retryable: true, permanent: 'dead-letter' },
  CIRCUIT_OPEN: { retryable: true, permanent: 'dead-letter' },
  RATE_LIMITED: { retryable: true, permanent: 'dead-letter' },
  NETWORK_UNAVAILABLE: { retryable: true, permanent: 'dead-letter' },
  INTERNAL: { retryable: false, permanent: 'crash' },
} as const satisfies Record<string, { retryable: boolean; permanent: 'dead-letter' | 'crash' }>;

/** DriftlineErrorCode is one of the codes in `errorCodes`; nothing else is a valid code. */
export type DriftlineErrorCode = keyof typeof errorCodes;

/** isDriftlineErrorCode tells whether a string is one of the codes in `errorCodes`. */
export function isDriftlineErrorCode(value: string): value is DriftlineErrorCode {
  return Object.hasOwn(errorCodes, value);
}
