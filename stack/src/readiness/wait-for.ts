import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * isPortOpen is true when something accepts a TCP connection on host:port within `timeoutMs`.
 * Used before starting a component, to refuse a port someone else already holds.
 */
export function isPortOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** WaitOptions bounds a readiness wait; `abort` settles when waiting is pointless (process died). */
export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly abort?: Promise<string>;
}

/**
 * waitFor polls `probe` until it returns true (→ 'ready'), the timeout passes (→ 'timeout') or
 * `abort` settles (→ its reason, e.g. 'exit code 1'). A probe that throws counts as not ready.
 */
export async function waitFor(probe: () => Promise<boolean>, options: WaitOptions): Promise<string> {
  const deadline = Date.now() + options.timeoutMs;
  let aborted: string | null = null;
  void options.abort?.then((reason) => {
    aborted = reason;
  });
  while (Date.now() < deadline) {
    if (aborted !== null) return aborted;
    const ready = await probe().catch(() => false);
    if (ready) return 'ready';
    if (aborted !== null) return aborted;
    await sleep(options.intervalMs);
  }
  return 'timeout';
}
