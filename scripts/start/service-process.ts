import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root.ts';

/** ServiceName names the four pipeline services, each `services/<name>/src/main.ts`. */
export type ServiceName = 'watcher' | 'desired' | 'reconciler' | 'sink';

/** SERVICE_NAMES lists the services in start order (sources first, sink last). */
export const SERVICE_NAMES: readonly ServiceName[] = ['desired', 'watcher', 'reconciler', 'sink'];

/** ServiceExit is how a service process ended: its exit code or the signal that ended it. */
export interface ServiceExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * ServiceProcess is one running service child process. Its stdout and stderr (pino JSON lines)
 * are appended to `logFile`. `exited` settles once when the process ends, whoever ended it.
 */
export interface ServiceProcess {
  readonly name: ServiceName;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<ServiceExit>;
  /** running is true until the process has exited. */
  running(): boolean;
  /**
   * stop sends SIGTERM (graceful: the service drains and commits) and, if the process is still
   * alive after `graceMs`, SIGKILL. Resolves with the exit; a no-op on an exited process.
   */
  stop(graceMs?: number): Promise<ServiceExit>;
  /** kill sends SIGKILL at once (a crash, for recovery tests) and resolves with the exit. */
  kill(): Promise<ServiceExit>;
}

// Kubernetes gives a pod 30 s between SIGTERM and SIGKILL; the services' own shutdown deadlines
// are 25 s. Locally 15 s is plenty and keeps a stuck Ctrl-C bearable.
const DEFAULT_GRACE_MS = 15_000;

function attachLog(child: ChildProcess, stream: WriteStream): void {
  child.stdout?.pipe(stream, { end: false });
  child.stderr?.pipe(stream, { end: false });
}

/**
 * startServiceProcess spawns `node services/<name>/src/main.ts` with exactly `env` (plus PATH and
 * HOME of this process), logging to `<logDir>/<name>.log`. It does not wait for readiness (see
 * `waitForReady`). The child is in this process's process group, so even a crash of the parent
 * that skips every handler leaves it to the terminal's SIGINT.
 */
export function startServiceProcess(
  name: ServiceName,
  env: Readonly<Record<string, string>>,
  logDir: string,
): ServiceProcess {
  const logFile = join(logDir, `${name}.log`);
  const stream = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [join(repoRoot, 'services', name, 'src', 'main.ts')], {
    cwd: repoRoot,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  attachLog(child, stream);
  let alive = true;
  const exited = new Promise<ServiceExit>((resolve) => {
    child.once('exit', (code, signal) => {
      alive = false;
      // Let the pipes flush what the process wrote last before closing the log.
      setImmediate(() => stream.end());
      resolve({ code, signal });
    });
  });
  const pid = child.pid;
  const signal = (sig: NodeJS.Signals): void => {
    if (alive) child.kill(sig);
  };
  return {
    name,
    pid,
    logFile,
    exited,
    running: () => alive,
    async stop(graceMs = DEFAULT_GRACE_MS) {
      if (!alive) return exited;
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
    async kill() {
      signal('SIGKILL');
      return exited;
    },
  };
}
