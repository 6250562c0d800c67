import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.ts';

describe('waitFor', () => {
  it('is ready as soon as the probe says so, treating a throwing probe as not ready', async () => {
    let calls = 0;
    const probe = async (): Promise<boolean> => {
      calls += 1;
      if (calls === 1) throw new Error('connection refused');
      return calls >= 3;
    };
    expect(await waitFor(probe, { timeoutMs: 5_000, intervalMs: 1 })).toBe('ready');
    expect(calls).toBe(3);
  });

  it('gives up with the abort reason when the process ends', async () => {
    expect(
      await waitFor(async () => false, {
        timeoutMs: 5_000,
        intervalMs: 1,
        abort: Promise.resolve('exit code 1'),
      }),
    ).toBe('exit code 1');
  });

  it('times out when the probe never succeeds', async () => {
    expect(await waitFor(async () => false, { timeoutMs: 20, intervalMs: 5 })).toBe('timeout');
  });
});
