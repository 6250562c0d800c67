import { MongoNetworkError, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { connectMongo, type ConnectMongoOptions } from './connect-mongo.ts';

// The mongo-java-server stand-in has no authentication, so "credentials refused" is injected here,
// at the adapter boundary, with the driver's own error types.

function options(failures: unknown[]): ConnectMongoOptions & { attempts: number; waits: number[] } {
  const state = {
    attempts: 0,
    waits: [] as number[],
    attempt: async () => {
      state.attempts += 1;
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
    },
    backoff: { initialDelayMs: 100, maxDelayMs: 1_000, random: () => 0.999 },
    sleep: async (ms: number) => {
      state.waits.push(ms);
    },
    onRetry: () => undefined,
  };
  return state;
}

describe('connectMongo', () => {
  it('retries an unreachable MongoDB with a growing, capped backoff until it answers', async () => {
    const o = options(Array.from({ length: 6 }, () => new MongoNetworkError('connect ECONNREFUSED')));
    expect(await connectMongo(o, new AbortController().signal)).toBe('connected');
    expect(o.attempts).toBe(7);
    expect(o.waits).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it.each([
    ['AuthenticationFailed (18)', 18],
    ['Unauthorized (13)', 13],
  ])('gives up at once when MongoDB refuses the credentials: %s', async (_name, code) => {
    const o = options([new MongoServerError({ message: 'Authentication failed.', code })]);
    const error = await connectMongo(o, new AbortController().signal).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MONGO_AUTH', retryable: false });
    expect(String((error as Error).message)).toMatch(/refused the credentials in MONGO_URL/);
    expect(o.attempts).toBe(1);
    expect(o.waits).toEqual([]);
  });

  it('stops retrying when the service stops', async () => {
    const controller = new AbortController();
    const o = options(Array.from({ length: 100 }, () => new MongoNetworkError('connect ECONNREFUSED')));
    const stopping = { ...o, sleep: async () => controller.abort() };
    expect(await connectMongo(stopping, controller.signal)).toBe('aborted');
    expect(o.attempts).toBe(1);
  });
});
