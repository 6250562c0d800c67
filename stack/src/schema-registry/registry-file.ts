import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RegistrySnapshot } from './registry-store.ts';
import { EMPTY_SNAPSHOT } from './registry-store.ts';

/**
 * loadRegistryFile reads a persisted registry; a missing file is an empty registry. Throws on a
 * corrupt file rather than silently starting empty (which would hand out ids already in topics).
 */
export async function loadRegistryFile(file: string): Promise<RegistrySnapshot> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_SNAPSHOT;
    throw error;
  }
  return JSON.parse(text) as RegistrySnapshot;
}

/** saveRegistryFile writes the snapshot atomically (temp file + rename), so a crash never leaves half a file. */
export async function saveRegistryFile(file: string, snapshot: RegistrySnapshot): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(snapshot, null, 2)}\n`);
  await rename(temp, file);
}
