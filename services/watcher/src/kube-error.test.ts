import { describe, expect, it } from 'vitest';
import { kubeError } from './kube-error.ts';

describe('kubeError', () => {
  it.each([
    [410, null, 'K8S_GONE', true],
    [429, '3', 'K8S_RATE_LIMITED', true],
    [401, null, 'K8S_FORBIDDEN', false],
    [403, null, 'K8S_FORBIDDEN', false],
    [500, null, 'K8S_UNAVAILABLE', true],
    [503, null, 'K8S_UNAVAILABLE', true],
  ] as const)('maps HTTP %i to %s', (status, retryAfter, code, retryable) => {
    const error = kubeError(status, retryAfter);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.details?.['status']).toBe(status);
  });

  it('carries Retry-After in milliseconds', () => {
    expect(kubeError(429, '3').details?.['retryAfterMs']).toBe(3000);
    expect(kubeError(429, 'soon').details?.['retryAfterMs']).toBeUndefined();
  });

  it('maps a network failure to a retryable K8S_UNAVAILABLE without status, a timeout to TIMEOUT', () => {
    const network = kubeError(undefined, null, new Error('ECONNRESET'));
    expect(network.code).toBe('K8S_UNAVAILABLE');
    expect(network.details).toBeUndefined();
    const timeout = new Error('t');
    timeout.name = 'TimeoutError';
    expect(kubeError(undefined, null, timeout).code).toBe('TIMEOUT');
  });
});
