import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withStackLock } from './stack-lock.ts';

describe('withStackLock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'stack-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs concurrent actions one after the other and releases the lock', async () => {
    const trace: string[] = [];
    const action = (name: string) => async () => {
      trace.push(`${name}:start`);
      await sleep(30);
      trace.push(`${name}:end`);
      return name;
    };
    const results = await Promise.all([withStackLock(dir, action('a')), withStackLock(dir, action('b'))]);
    expect(results).toEqual(['a', 'b']);
    // No interleaving: every start is directly followed by its own end.
    for (let i = 0; i < trace.length; i += 2) expect(trace[i + 1]).toBe(trace[i]?.replace('start', 'end'));
    await expect(readFile(path.join(dir, 'run', 'stack.lock'))).rejects.toThrow(/ENOENT/);
  });

  it('releases the lock when the action throws', async () => {
    await expect(withStackLock(dir, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await withStackLock(dir, async () => 'next')).toBe('next');
  });

  it('takes over a stale lock whose holder is dead', async () => {
    await mkdir(path.join(dir, 'run'), { recursive: true });
    await writeFile(path.join(dir, 'run', 'stack.lock'), `${2 ** 22 + 11}\n`);
    expect(await withStackLock(dir, async () => 'taken over')).toBe('taken over');
  });

  it('waits for a live holder and says so', async () => {
    await mkdir(path.join(dir, 'run'), { recursive: true });
    // This very process is alive, so its pid in the file is a live holder until the file goes.
    await writeFile(path.join(dir, 'run', 'stack.lock'), `${process.pid}\n`);
    const waitedFor: number[] = [];
    const pending = withStackLock(
      dir,
      async () => 'got it',
      (holder) => waitedFor.push(holder),
    );
    await sleep(400);
    expect(waitedFor).toEqual([process.pid]);
    await rm(path.join(dir, 'run', 'stack.lock'));
    expect(await pending).toBe('got it');
  });
});
