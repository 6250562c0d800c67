import type { DriftEvent } from '@driftline/schemas';

/**
 * driftLine renders one drift event as a single human line: time, status, key, and each
 * difference as `path desired→observed (remediation)`. Resolved events carry no differences.
 */
export function driftLine(event: DriftEvent, atMs: number): string {
  const time = new Date(atMs).toISOString().slice(11, 19);
  const diffs = event.differences
    .map((d) => `${d.path} want ${d.desired ?? '∅'} have ${d.observed ?? '∅'} (${d.remediation})`)
    .join('; ');
  const status = event.status.padEnd(8);
  const detail = event.status === 'resolved' ? 'in sync again' : diffs || event.keyStatus;
  return `${time}  ${status} ${event.key}  ${detail}`;
}
