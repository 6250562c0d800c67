import {
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
  type IDisposable,
} from 'cockatiel';
import { isTransient, toPolicyError } from './failure.ts';

/** CircuitStateName is a circuit breaker's state as logs, metrics and health report it. */
export type CircuitStateName = 'closed' | 'open' | 'half-open';

/** CircuitBreakerOptions configure a consecutive-failure breaker. */
export interface CircuitBreakerOptions {
  /** Name of the guarded dependency (`mongo`, a provider id); never a secret. */
  readonly name: string;
  /** Consecutive transient failures that open the circuit. */
  readonly consecutiveFailures: number;
  /** How long the circuit stays open before one trial call is let through (half-open). */
  readonly halfOpenAfterMs: number;
}

/** CircuitBreaker guards calls to one dependency and reports its state. */
export interface CircuitBreaker {
  /**
   * execute runs `fn` unless the circuit is open, in which case it rejects at once with
   * `DriftlineError('CIRCUIT_OPEN')` (retryable). Only failures `classify` calls transient count
   * toward opening: a bad input is not the dependency's fault.
   */
  execute<T>(fn: (signal: AbortSignal) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T>;
  /**
   * state is the current state. The move from open to half-open happens on the first call after
   * `halfOpenAfterMs`, so an idle circuit keeps reporting `open`.
   */
  readonly state: CircuitStateName;
  /** onStateChange calls `listener` on every transition. */
  onStateChange(listener: (state: CircuitStateName) => void): IDisposable;
  /** policy is the underlying cockatiel policy, for `wrap`. */
  readonly policy: CircuitBreakerPolicy;
}

function stateName(state: CircuitState): CircuitStateName {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half-open';
    default:
      // Open and Isolated (held open by hand) both refuse calls.
      return 'open';
  }
}

/**
 * createCircuitBreaker builds a consecutive-failure circuit breaker over cockatiel: closed until
 * `consecutiveFailures` transient failures in a row, then open for `halfOpenAfterMs`, then
 * half-open for one trial call that closes it on success or reopens it on failure.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const policy = circuitBreaker(
    handleWhen((error) => isTransient(error, options.name)),
    {
      breaker: new ConsecutiveBreaker(options.consecutiveFailures),
      halfOpenAfter: options.halfOpenAfterMs,
    },
  );
  return {
    async execute(fn, signal) {
      try {
        return await policy.execute(({ signal: inner }) => fn(inner), signal);
      } catch (error) {
        throw toPolicyError(error, options.name);
      }
    },
    get state() {
      return stateName(policy.state);
    },
    onStateChange(listener) {
      return policy.onStateChange((state) => listener(stateName(state)));
    },
    policy,
  };
}
