import { describe, expect, it } from 'vitest';
import { groupCommit } from './group-commit.ts';
import type { ObservedChange } from './provider-supervisor.ts';

const change = (key: string): ObservedChange => ({ key, value: null });

describe('groupCommit', () => {
  it('merges publishes issued during a send into the next one, keeping each caller’s order', async () => {
    const sends: string[][] = [];
    let release = (): void => undefined;
    const sink = groupCommit({
      publish: async (changes) => {
        sends.push(changes.map((c) => c.key));
        if (sends.length === 1) await new Promise<void>((r) => (release = r));
      },
    });
    const first = sink.publish([change('a1')]);
    await Promise.resolve();
    const second = sink.publish([change('b1'), change('b2')]);
    const third = sink.publish([change('c1')]);
    release();
    await Promise.all([first, second, third]);
    expect(sends).toEqual([['a1'], ['b1', 'b2', 'c1']]);
  });

  it('rejects every caller merged into a failed send, and recovers for the next', async () => {
    let fail = true;
    const sink = groupCommit({
      publish: async () => {
        await Promise.resolve();
        if (fail) throw new Error('broker down');
      },
    });
    const a = sink.publish([change('a')]);
    const b = sink.publish([change('b')]);
    await expect(a).rejects.toThrow('broker down');
    await expect(b).rejects.toThrow('broker down');
    fail = false;
    await expect(sink.publish([change('c')])).resolves.toBeUndefined();
  });
});
