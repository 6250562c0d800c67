import type { IDisposable } from 'cockatiel';
import type { Policy } from '../resilience/index.ts';
import type { MetricsPort } from './metrics-port.ts';

/**
 * observePolicy forwards a resilience policy's events to `metrics`: retries, timeouts and
 * circuit state (the initial `closed` is recorded at once so the series exists before the first
 * transition). Dispose the result to stop.
 */
export function observePolicy(policy: Policy, metrics: MetricsPort): IDisposable {
  metrics.record({ type: 'circuit.state', policy: policy.name, state: policy.circuitState });
  return policy.onEvent((event) => {
    switch (event.type) {
      case 'retry':
        return metrics.record({ type: 'policy.retry', policy: event.policy, code: event.code });
      case 'timeout':
        return metrics.record({ type: 'policy.timeout', policy: event.policy });
      case 'circuit-state':
        return metrics.record({ type: 'circuit.state', policy: event.policy, state: event.state });
      case 'give-up':
        return;
    }
  });
}
