import type { Logger } from '../logging/index.ts';

/** ShutdownProcess is the slice of `process` shutdown handling uses; injected in tests. */
export interface ShutdownProcess {
  once(event: string, listener: (signal: string) => void): unknown;
  off(event: string, listener: (signal: string) => void): unknown;
  exit(code: number): void;
}

const nodeProcess: ShutdownProcess = {
  once: (event, listener) => process.once(event as NodeJS.Signals, listener),
  off: (event, listener) => process.off(event as NodeJS.Signals, listener),
  exit: (code) => process.exit(code),
};

/** ShutdownOptions configure `installShutdown`. */
export interface ShutdownOptions {
  /**
   * stop drains and closes the service: move components to `draining`, stop fetching, finish
   * the batch, commit, disconnect, close the ops server. Resolves when done.
   */
  readonly stop: (reason: string) => Promise<void>;
  /**
   * Hard deadline for `stop`; keep it below the orchestrator's grace period (Kubernetes sends
   * SIGKILL 30 s after SIGTERM by default) so the exit is ours and logged.
   */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Defaults to SIGTERM and SIGINT. */
  readonly signals?: readonly string[];
  readonly process?: ShutdownProcess;
}

/** Shutdown is an installed shutdown handler. */
export interface Shutdown {
  /** trigger starts the shutdown as a signal would (e.g. after a fatal error); idempotent. */
  trigger(reason: string): Promise<void>;
  /** dispose removes the signal listeners. */
  dispose(): void;
}

/**
 * installShutdown runs `stop` once on the first of `signals`, then exits 0 — or 1 when `stop`
 * rejects or overruns `timeoutMs`. A second signal during shutdown exits 1 at once (an operator
 * pressing Ctrl-C twice means it).
 */
export function installShutdown(options: ShutdownOptions): Shutdown {
  const proc = options.process ?? nodeProcess;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let stopping: Promise<void> | undefined;

  function trigger(reason: string): Promise<void> {
    if (stopping !== undefined) return stopping;
    options.logger.info({ reason }, 'shutting down');
    stopping = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        options.logger.error({ reason, timeoutMs: options.timeoutMs }, 'shutdown overran its deadline');
        proc.exit(1);
        resolve();
      }, options.timeoutMs);
      options.stop(reason).then(
        () => {
          clearTimeout(timer);
          options.logger.info({ reason }, 'stopped');
          proc.exit(0);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(timer);
          options.logger.error({ err: error, reason }, 'shutdown failed');
          proc.exit(1);
          resolve();
        },
      );
    });
    return stopping;
  }

  const onSignal = (signal: string): void => {
    if (stopping !== undefined) {
      options.logger.warn({ signal }, 'second signal during shutdown: exiting now');
      proc.exit(1);
      return;
    }
    void trigger(signal);
    // Listen again so a second signal is seen (the first listener was `once`).
    proc.once(signal, onSignal);
  };
  for (const signal of signals) proc.once(signal, onSignal);

  return {
    trigger,
    dispose() {
      for (const signal of signals) proc.off(signal, onSignal);
    },
  };
}
