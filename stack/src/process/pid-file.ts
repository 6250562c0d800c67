import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** StartedBy says who started a process: a human's `npm run stack -- up`, or an integration test run. */
export type StartedBy = 'cli' | 'test-run';

/** PidRecord is what `up` writes for each process it starts and `down`/`status` read back. */
export interface PidRecord {
  readonly pid: number;
  readonly marker: string;
  readonly port: number;
  readonly startedAtMs: number;
  readonly startedBy: StartedBy;
}

/** pidFilePath is where a component's pid record lives: `<stackDir>/run/<component>.pid.json`. */
export function pidFilePath(stackDir: string, component: string): string {
  return path.join(stackDir, 'run', `${component}.pid.json`);
}

/**
 * parsePidRecord validates a pid file's text; returns null when it is not a well-formed record
 * (a torn or foreign file is treated as absent, never trusted). Pure.
 */
export function parsePidRecord(text: string): PidRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { pid, marker, port, startedAtMs, startedBy } = value as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 1) return null;
  if (typeof marker !== 'string' || marker === '') return null;
  if (typeof port !== 'number' || typeof startedAtMs !== 'number') return null;
  return { pid, marker, port, startedAtMs, startedBy: startedBy === 'test-run' ? 'test-run' : 'cli' };
}

/** readPidRecord reads a component's pid record, or null when missing or malformed. */
export async function readPidRecord(stackDir: string, component: string): Promise<PidRecord | null> {
  try {
    return parsePidRecord(await readFile(pidFilePath(stackDir, component), 'utf8'));
  } catch {
    return null;
  }
}

/** writePidRecord writes a component's pid record, creating the run folder if needed. */
export async function writePidRecord(stackDir: string, component: string, record: PidRecord): Promise<void> {
  const file = pidFilePath(stackDir, component);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(record)}\n`);
}

/** removePidRecord deletes a component's pid record; a missing file is not an error. */
export async function removePidRecord(stackDir: string, component: string): Promise<void> {
  await rm(pidFilePath(stackDir, component), { force: true });
}
