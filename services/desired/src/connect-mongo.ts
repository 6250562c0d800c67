import { DriftlineError, judge } from '@driftline/shared/errors';
import { createBackoff, type BackoffOptions } from '@driftline/shared/resilience';

/** ConnectMongoOptions: how to try once, how long to wait between tries, and what to tell. */
export interface ConnectMongoOptions {
  /** One attempt: connect and prove the connection (a ping). */
  readonly attempt: () => Promise<void>;
  readonly backoff: BackoffOptions;
  /** Waits `ms` or until `signal` aborts (an injected timer, so tests never sleep). */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Called before each wait with the failure, the attempt number and the delay. */
  readonly onRetry: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * connectMongo tries to connect until it succeeds (`'connected'`) or `signal` aborts
 * (`'aborted'`), waiting a jittered, capped exponential backoff between attempts: MongoDB may
 * come up after the service. Authentication refused is not retried — the credentials in
 * MONGO_URL will not fix themselves — it throws `MONGO_AUTH` saying so.
 */
export async function connectMongo(
  options: ConnectMongoOptions,
  signal: AbortSignal,
): Promise<'connected' | 'aborted'> {
  const backoff = createBackoff(options.backoff);
  while (!signal.aborted) {
    try {
      await options.attempt();
      return 'connected';
    } catch (error) {
      if (judge(error).code === 'MONGO_AUTH') {
        throw new DriftlineError(
          'MONGO_AUTH',
          'MongoDB refused the credentials in MONGO_URL (authentication failed): fix them and restart',
          { cause: error },
        );
      }
      const delayMs = backoff.next();
      options.onRetry(error, backoff.attempt, delayMs);
      await options.sleep(delayMs, signal);
    }
  }
  return 'aborted';
}
