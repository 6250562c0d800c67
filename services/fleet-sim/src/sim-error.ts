/** SimErrorCode is the closed set of reasons an in-process control call fails. */
export type SimErrorCode = 'not-found' | 'already-exists' | 'unknown-kind' | 'invalid';

/**
 * SimError is what the in-process control API (SimCluster, Fleet) throws for a caller's mistake,
 * never for a bug; the HTTP control API maps `code` to a status (404, 409, 400).
 */
export class SimError extends Error {
  readonly code: SimErrorCode;

  constructor(code: SimErrorCode, message: string) {
    super(message);
    this.name = 'SimError';
    this.code = code;
  }
}
