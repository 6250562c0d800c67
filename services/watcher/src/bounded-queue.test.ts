import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue.ts';
import { flush } from './testing/fake-clock.ts';

describe('BoundedQueue', () => {
  it('makes a pusher wait while full and releases it when a batch is taken', async () => {
    const queue = new BoundedQueue<number>(2);
    await queue.push(1);
    await queue.push(2);
    let third = false;
    const pending = queue.push(3).then(() => (third = true));
    await flush();
    expect(third).toBe(false);
    expect(await queue.take(10)).toEqual([1, 2]);
    await pending;
    expect(third).toBe(true);
    expect(queue.depth).toBe(1);
  });

  it('drains after close, then returns undefined; pushing after close rejects', async () => {
    const queue = new BoundedQueue<number>(5);
    await queue.push(1);
    queue.close();
    expect(await queue.take(10)).toEqual([1]);
    expect(await queue.take(10)).toBeUndefined();
    await expect(queue.push(2)).rejects.toThrow('queue closed');
  });

  it('wakes a waiting taker on push', async () => {
    const queue = new BoundedQueue<string>(5);
    const taken = queue.take(3);
    await queue.push('a');
    expect(await taken).toEqual(['a']);
  });
});
