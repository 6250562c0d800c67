import {
  ExponentialBackoff,
  handleWhen,
  noop,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
  type GeneratorFn,
  type IDisposable,
  type IPolicy,
} from 'cockatiel';
import { classify, errorCodeOf } from '../errors/index.ts';
import { fullJitterDelay } from './backoff.ts';
import { createCircuitBreaker, type CircuitBreaker, type CircuitStateName } from './circuit-breaker.ts';
import { systemRandom, type Random } from './clock.ts';
import { toPolicyError } from './failure.ts';
import { createPolicyEvents, type PolicyEventListener } from './policy-event.ts';

/** RetryOptions bound a retry: total attempts (the first call included) and the delay window. */
export interface RetryOptions {
  /** Total attempts including the first call; 1 means no retry. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** PolicyOptions choose which guards a policy applies; each is optional. */
export interface PolicyOptions {
  /** The guarded dependency (`mongo`, `schema-registry`, a provider id); a metric label, never a secret. */
  readonly name: string;
  readonly retry?: RetryOptions;
  /** Per-attempt deadline; the attempt's AbortSignal fires when it passes. */
  readonly timeoutMs?: number;
  readonly circuitBreaker?: { readonly consecutiveFailures: number; readonly halfOpenAfterMs: number };
  /** Which failures to retry; default: those `classify` calls `retry`. */
  readonly shouldRetry?: (error: unknown) => boolean;
  readonly random?: Random;
}

/** Policy runs calls to one dependency through retry → circuit breaker → timeout. */
export interface Policy {
  /** name is the guarded dependency, as given in `PolicyOptions`. */
  readonly name: string;
  /**
   * execute runs `fn`, retrying transient failures with exponential backoff and full jitter up
   * to `maxAttempts`, each attempt under the timeout and the circuit breaker. It resolves with
   * the first success or rejects with the last failure: a timeout as `DriftlineError('TIMEOUT')`,
   * an open circuit as `DriftlineError('CIRCUIT_OPEN')`, anything else unchanged. `fn` gets an
   * AbortSignal that fires on timeout or when the caller's `signal` aborts; a caller abort stops
   * retrying.
   */
  execute<T>(fn: (signal: AbortSignal) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T>;
  /** circuitState is the breaker's state, `closed` when the policy has no breaker. */
  readonly circuitState: CircuitStateName;
  /** onEvent subscribes to retries, give-ups, timeouts and circuit transitions. */
  onEvent(listener: PolicyEventListener): IDisposable;
}

function jitterGenerator(random: Random): GeneratorFn<number> {
  return (attempt = 0, options) => [
    fullJitterDelay(attempt, { initialDelayMs: options.initialDelay, maxDelayMs: options.maxDelay, random }),
    attempt + 1,
  ];
}

/**
 * createPolicy composes cockatiel's retry, circuit breaker and timeout into one `Policy` for
 * one dependency. Retries are bounded and jittered and only ever retry what `shouldRetry`
 * (default: `classify(error) === 'retry'`) allows, so programmer errors and bad inputs fail at
 * once. Give a provider its own policy: breakers and retries must not be shared across providers.
 */
export function createPolicy(options: PolicyOptions): Policy {
  const events = createPolicyEvents();
  const name = options.name;
  const shouldRetry = options.shouldRetry ?? ((error: unknown) => classify(error) === 'retry');
  const layers: IPolicy[] = [];

  if (options.retry !== undefined && options.retry.maxAttempts > 1) {
    const retryPolicy = retry(
      handleWhen((error) => shouldRetry(toPolicyError(error, name))),
      {
        maxAttempts: options.retry.maxAttempts - 1,
        backoff: new ExponentialBackoff({
          generator: jitterGenerator(options.random ?? systemRandom),
          initialDelay: options.retry.initialDelayMs,
          maxDelay: options.retry.maxDelayMs,
        }),
      },
    );
    retryPolicy.onRetry((event) => {
      const error = 'error' in event ? toPolicyError(event.error, name) : undefined;
      events.emit({
        type: 'retry',
        policy: name,
        attempt: event.attempt,
        delayMs: event.delay,
        code: errorCodeOf(error),
      });
    });
    retryPolicy.onGiveUp((event) => {
      const error = 'error' in event ? toPolicyError(event.error, name) : undefined;
      events.emit({ type: 'give-up', policy: name, code: errorCodeOf(error) });
    });
    layers.push(retryPolicy);
  }

  let breaker: CircuitBreaker | undefined;
  if (options.circuitBreaker !== undefined) {
    breaker = createCircuitBreaker({ name, ...options.circuitBreaker });
    breaker.onStateChange((state) => events.emit({ type: 'circuit-state', policy: name, state }));
    layers.push(breaker.policy);
  }

  if (options.timeoutMs !== undefined) {
    const timeoutMs = options.timeoutMs;
    const timeoutPolicy = timeout(timeoutMs, TimeoutStrategy.Aggressive);
    timeoutPolicy.onTimeout(() => events.emit({ type: 'timeout', policy: name, timeoutMs }));
    layers.push(timeoutPolicy);
  }

  const composed: IPolicy = layers.length === 0 ? noop : wrap(...layers);
  return {
    name,
    async execute(fn, signal) {
      try {
        return await composed.execute(({ signal: inner }) => fn(inner), signal);
      } catch (error) {
        throw toPolicyError(error, name);
      }
    },
    get circuitState() {
      return breaker?.state ?? 'closed';
    },
    onEvent: (listener) => events.on(listener),
  };
}
