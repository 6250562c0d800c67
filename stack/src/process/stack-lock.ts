import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processExists } from './detached-process.ts';

/** LOCK_TIMEOUT_MS bounds the wait for another `up`/`down`: a first `up` downloads jars and may take minutes. */
const LOCK_TIMEOUT_MS = 10 * 60_000;

/**
 * withStackLock runs `action` while holding `<stackDir>/run/stack.lock`, so two `up`s (two
 * terminals, or two test runs) never start the same component twice. The lock file holds the
 * holder's pid; a lock whose holder is dead is stale and taken over. Throws after LOCK_TIMEOUT_MS.
 */
export async function withStackLock<T>(
  stackDir: string,
  action: () => Promise<T>,
  onWait?: (holder: number) => void,
): Promise<T> {
  const file = path.join(stackDir, 'run', 'stack.lock');
  await mkdir(path.dirname(file), { recursive: true });
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let told = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(holder) || holder <= 0 || !(await processExists(holder))) {
      await rm(file, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`the stack is locked by pid ${holder} (${file}) for more than ${LOCK_TIMEOUT_MS} ms`);
    if (!told) onWait?.(holder);
    told = true;
    await sleep(250);
  }
  try {
    return await action();
  } finally {
    await rm(file, { force: true });
  }
}
