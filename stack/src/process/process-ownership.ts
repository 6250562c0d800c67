import { readFile } from 'node:fs/promises';

/**
 * processMarker is the text every process the stack starts carries on its command line
 * (`driftline-stack:<component>:<stackDir>`), so `down` can tell its own process from an unrelated
 * one that reused the pid.
 */
export function processMarker(component: string, stackDir: string): string {
  return `driftline-stack:${component}:${stackDir}`;
}

/**
 * cmdlineHasMarker is true when a raw /proc/<pid>/cmdline (NUL-separated arguments) contains the
 * marker inside one argument (`-Ddriftline.stack=<marker>` or `--marker <marker>`). Pure.
 */
export function cmdlineHasMarker(rawCmdline: string, marker: string): boolean {
  if (marker === '') return false;
  return rawCmdline.split('\0').some((arg) => arg === marker || arg.endsWith(`=${marker}`));
}

/**
 * readCmdline returns the raw command line of a live process, or null when there is no such process
 * (or it is a zombie, whose cmdline is empty). Linux only (/proc).
 */
export async function readCmdline(pid: number): Promise<string | null> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw === '' ? null : raw;
  } catch {
    return null;
  }
}

/** isOwnedProcess is true when `pid` is alive and its command line carries `marker`. */
export async function isOwnedProcess(pid: number, marker: string): Promise<boolean> {
  const cmdline = await readCmdline(pid);
  return cmdline !== null && cmdlineHasMarker(cmdline, marker);
}
