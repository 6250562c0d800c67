import { describe, expect, it } from 'vitest';
import { DriftlineError } from './driftline-error.ts';
import { isDriftlineErrorCode } from './code.ts';

describe('DriftlineError', () => {
  it('carries code, default retryable flag, cause and frozen details', () => {
    const cause = new Error('socket hang up');
    const error = new DriftlineError('K8S_UNAVAILABLE', 'list failed', {
      cause,
      details: { provider: 'p1', status: 503 },
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DriftlineError');
    expect(error.code).toBe('K8S_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ provider: 'p1', status: 503 });
    expect(Object.isFrozen(error.details)).toBe(true);
  });

  it('takes the retryable default from the code and lets the caller override it', () => {
    expect(new DriftlineError('INPUT_INVALID', 'x').retryable).toBe(false);
    expect(new DriftlineError('INPUT_INVALID', 'x', { retryable: true }).retryable).toBe(true);
  });

  it('has no cause property when none is given', () => {
    expect('cause' in new DriftlineError('INTERNAL', 'x')).toBe(false);
  });

  it('recognises its own codes only', () => {
    expect(isDriftlineErrorCode('KAFKA_FATAL')).toBe(true);
    expect(isDriftlineErrorCode('toString')).toBe(false);
    expect(isDriftlineErrorCode('NOPE')).toBe(false);
  });
});
