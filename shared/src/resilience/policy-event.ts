import type { IDisposable } from 'cockatiel';
import type { DriftlineErrorCode } from '../errors/index.ts';
import type { CircuitStateName } from './circuit-breaker.ts';

/**
 * PolicyEvent is what a resilience policy reports, named by the guarded dependency (`policy`).
 * `shared/metrics` subscribes to count retries and expose circuit state; no label is a secret.
 */
export type PolicyEvent =
  | {
      readonly type: 'retry';
      readonly policy: string;
      /** 1 for the first retry. */
      readonly attempt: number;
      readonly delayMs: number;
      readonly code: DriftlineErrorCode;
    }
  | { readonly type: 'give-up'; readonly policy: string; readonly code: DriftlineErrorCode }
  | { readonly type: 'timeout'; readonly policy: string; readonly timeoutMs: number }
  | { readonly type: 'circuit-state'; readonly policy: string; readonly state: CircuitStateName };

/** PolicyEventListener receives policy events synchronously; it must not throw. */
export type PolicyEventListener = (event: PolicyEvent) => void;

/** PolicyEvents is a tiny synchronous emitter for `PolicyEvent`. */
export interface PolicyEvents {
  emit(event: PolicyEvent): void;
  on(listener: PolicyEventListener): IDisposable;
}

/** createPolicyEvents returns an emitter that calls listeners in subscription order. */
export function createPolicyEvents(): PolicyEvents {
  const listeners = new Set<PolicyEventListener>();
  return {
    emit(event) {
      for (const listener of listeners) listener(event);
    },
    on(listener) {
      // Wrapped so the same function subscribed twice gets two independent subscriptions.
      const entry: PolicyEventListener = (event) => listener(event);
      listeners.add(entry);
      return { dispose: () => listeners.delete(entry) };
    },
  };
}
