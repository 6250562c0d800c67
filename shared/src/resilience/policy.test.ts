import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DriftlineError } from '../errors/index.ts';
import { createPolicy } from './policy.ts';
import type { PolicyEvent } from './policy-event.ts';

const transient = (): DriftlineError => new DriftlineError('MONGO_UNAVAILABLE', 'primary stepped down');

function failing(times: number, error: () => unknown, value = 'ok') {
  let calls = 0;
  const fn = vi.fn(async () => {
    calls += 1;
    if (calls <= times) throw error();
    return value;
  });
  return fn;
}

describe('createPolicy', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const retry = { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 250 };

  it('retries transient failures with capped, jittered backoff and reports each retry', async () => {
    const policy = createPolicy({ name: 'mongo', retry, random: () => 0.5 });
    const events: PolicyEvent[] = [];
    policy.onEvent((event) => events.push(event));
    const fn = failing(3, transient);
    const result = policy.execute(fn);
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(4);
    expect(events).toEqual([
      { type: 'retry', policy: 'mongo', attempt: 1, delayMs: 50, code: 'MONGO_UNAVAILABLE' },
      { type: 'retry', policy: 'mongo', attempt: 2, delayMs: 100, code: 'MONGO_UNAVAILABLE' },
      { type: 'retry', policy: 'mongo', attempt: 3, delayMs: 125, code: 'MONGO_UNAVAILABLE' },
    ]);
  });

  it('waits the backoff before retrying', async () => {
    const policy = createPolicy({ name: 'mongo', retry, random: () => 0.5 });
    const fn = failing(1, transient);
    const result = policy.execute(fn);
    await vi.advanceTimersByTimeAsync(49);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledTimes(2);
    await expect(result).resolves.toBe('ok');
  });

  it('gives up after maxAttempts with the last error', async () => {
    const policy = createPolicy({ name: 'mongo', retry, random: () => 0 });
    const events: PolicyEvent[] = [];
    policy.onEvent((event) => events.push(event));
    const fn = failing(10, transient);
    const result = policy.execute(fn).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await result).toMatchObject({ code: 'MONGO_UNAVAILABLE' });
    expect(fn).toHaveBeenCalledTimes(4);
    expect(events.at(-1)).toEqual({ type: 'give-up', policy: 'mongo', code: 'MONGO_UNAVAILABLE' });
  });

  it.each([
    ['a programmer error', () => new TypeError('x is not a function')],
    ['a bad input', () => new DriftlineError('INPUT_INVALID', 'bad CR')],
    ['a non-retryable Kafka error', () => Object.assign(new Error('auth'), { retriable: false })],
  ])('never retries %s', async (_name, error) => {
    const policy = createPolicy({ name: 'mongo', retry });
    const fn = failing(10, error);
    const result = policy.execute(fn).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await result).toBeInstanceOf(Error);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('times out a hung attempt as a retryable TIMEOUT, aborting its signal, and retries it', async () => {
    const policy = createPolicy({
      name: 'k8s:p1',
      retry: { ...retry, maxAttempts: 2 },
      timeoutMs: 1000,
      random: () => 0,
    });
    const events: PolicyEvent[] = [];
    policy.onEvent((event) => events.push(event));
    const signals: AbortSignal[] = [];
    const fn = vi.fn((signal: AbortSignal) => {
      signals.push(signal);
      return new Promise<string>(() => undefined);
    });
    const result = policy.execute(fn).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    expect(signals[0]?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1000);
    const error = await result;
    expect(error).toBeInstanceOf(DriftlineError);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(events.filter((e) => e.type === 'timeout')).toHaveLength(2);
    expect(events).toContainEqual({
      type: 'retry',
      policy: 'k8s:p1',
      attempt: 1,
      delayMs: 0,
      code: 'TIMEOUT',
    });
  });

  it('opens the circuit after consecutive transient failures, fails fast, then half-opens and closes', async () => {
    const policy = createPolicy({
      name: 'k8s:p1',
      circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 5000 },
    });
    const states: string[] = [];
    policy.onEvent((event) => {
      if (event.type === 'circuit-state') states.push(event.state);
    });
    const down = failing(3, transient);
    for (let i = 0; i < 3; i += 1)
      await expect(policy.execute(down)).rejects.toMatchObject({ code: 'MONGO_UNAVAILABLE' });
    expect(policy.circuitState).toBe('open');

    const probe = vi.fn(async () => 'up');
    await expect(policy.execute(probe)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN', retryable: true });
    expect(probe).not.toHaveBeenCalled();

    await vi.advanceTimersByTimeAsync(5000);
    await expect(policy.execute(probe)).resolves.toBe('up');
    expect(policy.circuitState).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('reopens when the half-open trial fails', async () => {
    const policy = createPolicy({
      name: 'k8s:p1',
      circuitBreaker: { consecutiveFailures: 1, halfOpenAfterMs: 5000 },
    });
    await expect(policy.execute(failing(1, transient))).rejects.toMatchObject({ code: 'MONGO_UNAVAILABLE' });
    await vi.advanceTimersByTimeAsync(5000);
    await expect(policy.execute(failing(1, transient))).rejects.toMatchObject({ code: 'MONGO_UNAVAILABLE' });
    expect(policy.circuitState).toBe('open');
  });

  it('does not open the circuit on bad inputs', async () => {
    const policy = createPolicy({
      name: 'mongo',
      circuitBreaker: { consecutiveFailures: 2, halfOpenAfterMs: 5000 },
    });
    const bad = failing(5, () => new DriftlineError('MONGO_WRITE_REJECTED', 'validation failed'));
    for (let i = 0; i < 5; i += 1)
      await expect(policy.execute(bad)).rejects.toMatchObject({ code: 'MONGO_WRITE_REJECTED' });
    expect(policy.circuitState).toBe('closed');
  });

  it('stops retrying when the caller aborts', async () => {
    const policy = createPolicy({
      name: 'mongo',
      retry: { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 100 },
      random: () => 0.99,
    });
    const controller = new AbortController();
    const fn = failing(100, transient);
    const result = policy.execute(fn, controller.signal).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    await vi.runAllTimersAsync();
    await result;
    expect(fn.mock.calls.length).toBeLessThanOrEqual(2);
  });

  it('passes straight through with no guards', async () => {
    const policy = createPolicy({ name: 'noop' });
    await expect(policy.execute(() => 42)).resolves.toBe(42);
    expect(policy.circuitState).toBe('closed');
  });
});
