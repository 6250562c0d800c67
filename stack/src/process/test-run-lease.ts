import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { processExists } from './detached-process.ts';

function leaseDir(stackDir: string): string {
  return path.join(stackDir, 'run', 'test-runs');
}

/**
 * takeTestRunLease records that the test run in this process uses the stack, so a concurrent run's
 * teardown does not stop the stack under it. Released by releaseTestRunLease; a lease whose
 * process died is ignored.
 */
export async function takeTestRunLease(stackDir: string): Promise<void> {
  await mkdir(leaseDir(stackDir), { recursive: true });
  await writeFile(path.join(leaseDir(stackDir), String(process.pid)), `${Date.now()}\n`);
}

/** releaseTestRunLease drops this process's lease (a missing lease is not an error). */
export async function releaseTestRunLease(stackDir: string): Promise<void> {
  await rm(path.join(leaseDir(stackDir), String(process.pid)), { force: true });
}

/**
 * liveTestRunLeases counts the leases held by live processes (stale leases of dead processes are
 * removed on the way).
 */
export async function liveTestRunLeases(stackDir: string): Promise<number> {
  let others = 0;
  for (const name of await readdir(leaseDir(stackDir)).catch(() => [] as string[])) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0 && (await processExists(pid))) others += 1;
    else await rm(path.join(leaseDir(stackDir), name), { force: true });
  }
  return others;
}
