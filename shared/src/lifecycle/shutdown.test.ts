import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logging/index.ts';
import { installShutdown, type ShutdownProcess } from './shutdown.ts';

function fakeProcess(): ShutdownProcess & { emit(signal: string): void; exits: number[] } {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  return {
    exits,
    once: (event, listener) => emitter.once(event, listener),
    off: (event, listener) => emitter.off(event, listener),
    emit: (signal) => void emitter.emit(signal, signal),
    exit: (code) => void exits.push(code),
  };
}

const logger = createLogger({ service: 'test', level: 'silent' });

describe('installShutdown', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs stop once on the first signal and exits 0 when it resolves', async () => {
    const proc = fakeProcess();
    const stop = vi.fn(async () => undefined);
    installShutdown({ stop, timeoutMs: 1_000, logger, process: proc });
    proc.emit('SIGTERM');
    await vi.advanceTimersByTimeAsync(0);
    expect(stop).toHaveBeenCalledExactlyOnceWith('SIGTERM');
    expect(proc.exits).toEqual([0]);
  });

  it('exits 1 when stop rejects', async () => {
    const proc = fakeProcess();
    installShutdown({
      stop: async () => Promise.reject(new Error('commit failed')),
      timeoutMs: 1_000,
      logger,
      process: proc,
    });
    proc.emit('SIGINT');
    await vi.advanceTimersByTimeAsync(0);
    expect(proc.exits).toEqual([1]);
  });

  it('exits 1 when stop overruns the deadline', async () => {
    const proc = fakeProcess();
    installShutdown({
      stop: () => new Promise<void>(() => undefined),
      timeoutMs: 1_000,
      logger,
      process: proc,
    });
    proc.emit('SIGTERM');
    await vi.advanceTimersByTimeAsync(999);
    expect(proc.exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(proc.exits).toEqual([1]);
  });

  it('exits 1 at once on a second signal, and trigger is idempotent', async () => {
    const proc = fakeProcess();
    const stop = vi.fn(() => new Promise<void>(() => undefined));
    const shutdown = installShutdown({ stop, timeoutMs: 10_000, logger, process: proc });
    void shutdown.trigger('fatal error');
    void shutdown.trigger('again');
    proc.emit('SIGTERM');
    expect(stop).toHaveBeenCalledTimes(1);
    expect(proc.exits).toEqual([1]);
  });

  it('stops listening once disposed', async () => {
    const proc = fakeProcess();
    const stop = vi.fn(async () => undefined);
    installShutdown({ stop, timeoutMs: 1_000, logger, process: proc }).dispose();
    proc.emit('SIGTERM');
    await vi.advanceTimersByTimeAsync(0);
    expect(stop).not.toHaveBeenCalled();
  });
});
