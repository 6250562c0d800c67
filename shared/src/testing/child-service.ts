import { spawn, type ChildProcess } from 'node:child_process';

/** ChildService is a Node script run as a child process, its stdout and stderr captured line by line. */
export interface ChildService {
  readonly child: ChildProcess;
  /** Every non-empty line written so far (stdout and stderr). */
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  /** waitForLine resolves with the first line matching `pattern`; rejects after `timeoutMs` with the last lines. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** kill sends a signal and resolves when the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * spawnNodeService runs `node <path> ...args` with `env` (on this process's Node), for tests and
 * benchmarks that run a service as its own process — SIGKILL and restart included.
 */
export function spawnNodeService(
  path: string,
  args: readonly string[],
  env: Record<string, string>,
): ChildService {
  const child = spawn(process.execPath, [path, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const onData = (buffer: Buffer, rest: { text: string }) => {
    rest.text += buffer.toString('utf8');
    const parts = rest.text.split('\n');
    rest.text = parts.pop() ?? '';
    lines.push(...parts.filter((line) => line !== ''));
    for (const waiter of waiters) waiter();
  };
  const out = { text: '' };
  const err = { text: '' };
  child.stdout?.on('data', (b: Buffer) => onData(b, out));
  child.stderr?.on('data', (b: Buffer) => onData(b, err));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitForLine(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = lines.find((l) => pattern.test(l));
          if (line === undefined) return;
          cleanup();
          resolve(line);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `no line matching ${pattern} within ${timeoutMs} ms; last lines:\n${lines.slice(-15).join('\n')}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
