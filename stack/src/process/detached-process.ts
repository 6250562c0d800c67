import { spawn } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isOwnedProcess } from './process-ownership.ts';

/** LaunchSpec describes one long-running process of the stack. */
export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** DetachedProcess is a started process: its pid and a promise that settles if it exits. */
export interface DetachedProcess {
  readonly pid: number;
  /** exited resolves with the exit code (or signal name) if the process ends while we still watch. */
  readonly exited: Promise<string>;
}

/**
 * spawnDetached starts `spec` in its own session (it outlives the caller, and a Ctrl-C in the
 * caller's terminal does not reach it) with stdout and stderr appended to `spec.logFile`.
 * Throws when the command cannot be started at all (e.g. `java` missing).
 */
export async function spawnDetached(spec: LaunchSpec): Promise<DetachedProcess> {
  await mkdir(path.dirname(spec.logFile), { recursive: true });
  const log = await open(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'ENOENT'
            ? new Error(`cannot start \`${spec.command}\`: not found on PATH`, { cause: error })
            : error,
        );
      });
      child.once('spawn', () => resolve(child.pid ?? -1));
    });
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => resolve(signal ?? `exit code ${code ?? '?'}`));
    });
    child.unref();
    return { pid, exited };
  } finally {
    await log.close();
  }
}

/** StopOutcome says how a stop ended. */
export type StopOutcome = 'not-running' | 'not-ours' | 'terminated' | 'killed' | 'survived';

/** StopOptions bounds the wait after SIGTERM and after SIGKILL. */
export interface StopOptions {
  readonly termTimeoutMs: number;
  readonly killTimeoutMs: number;
}

/** DEFAULT_STOP_OPTIONS: a KRaft broker's controlled shutdown takes a few seconds on two cores. */
export const DEFAULT_STOP_OPTIONS: StopOptions = { termTimeoutMs: 30_000, killTimeoutMs: 5_000 };

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}

async function waitUntilGone(pid: number, marker: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isOwnedProcess(pid, marker))) return true;
    await sleep(100);
  }
  return !(await isOwnedProcess(pid, marker));
}

/**
 * stopOwnedProcess stops `pid` only if it is alive AND still carries `marker` (so a recycled pid of
 * an unrelated process is never signalled): SIGTERM, wait up to `termTimeoutMs`, then SIGKILL and
 * wait up to `killTimeoutMs`. Returns what happened; 'survived' means even SIGKILL did not work.
 */
export async function stopOwnedProcess(
  pid: number,
  marker: string,
  options: StopOptions = DEFAULT_STOP_OPTIONS,
): Promise<StopOutcome> {
  if (!(await isOwnedProcess(pid, marker))) {
    return (await processExists(pid)) ? 'not-ours' : 'not-running';
  }
  signal(pid, 'SIGTERM');
  if (await waitUntilGone(pid, marker, options.termTimeoutMs)) return 'terminated';
  signal(pid, 'SIGKILL');
  if (await waitUntilGone(pid, marker, options.killTimeoutMs)) return 'killed';
  return 'survived';
}

/** processExists is true when a process with this pid exists (whoever owns it). */
export async function processExists(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
