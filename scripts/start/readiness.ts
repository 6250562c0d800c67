import { readFile } from 'node:fs/promises';
import type { ServiceProcess } from './service-process.ts';

/**
 * waitForReady polls `http://127.0.0.1:<port>/readyz` every 200 ms until it answers 200. Rejects
 * when the process exits first or after `timeoutMs`, with the tail of the service's log so the
 * cause is visible where the failure is reported.
 */
export async function waitForReady(service: ServiceProcess, port: number, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!service.running())
      throw new Error(`${service.name} exited during start-up\n${await logTail(service.logFile)}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${service.name} not ready within ${timeoutMs} ms\n${await logTail(service.logFile)}`);
}

/** logTail returns the last `lines` lines of a log file (empty if unreadable). */
export async function logTail(logFile: string, lines = 20): Promise<string> {
  const content = await readFile(logFile, 'utf8').catch(() => '');
  return content
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
}
