import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createStuckSweeper } from './stuck-sweeper.ts';
import { FakeStore } from './testing/fake-store.ts';

describe('createStuckSweeper', () => {
  it('flags, at the injected time, only what isStuck confirms among the candidates', async () => {
    const store = new FakeStore();
    store.documents = {
      outstanding_operations: [
        { _id: 'a|H', key: 'a', type: 'H', operationId: 'op-a', createdAtMs: 0, released: false },
        { _id: 'b|H', key: 'b', type: 'H', operationId: 'op-b', createdAtMs: 9_500, released: false },
      ],
    };
    const sweeper = createStuckSweeper({
      store,
      clock: { now: () => 10_000 },
      stuckAfterMs: 1_000,
      logger: pino({ level: 'silent' }),
    });
    expect(await sweeper.sweep()).toBe(1);
    expect(store.finds[0]?.filter).toEqual({
      released: false,
      stuck: { $ne: true },
      createdAtMs: { $lt: 9_000 },
    });
    expect(store.calls.map((c) => [c.collection, JSON.stringify(c.models)])).toEqual([
      ['operations', expect.stringContaining('"$in":["op-a"]')],
      ['outstanding_operations', expect.stringContaining('"$in":["a|H"]')],
    ]);
    expect(JSON.stringify(store.calls[0]?.models)).toContain('"stuckAtMs":10000');
  });

  it('writes nothing when nothing is stuck', async () => {
    const store = new FakeStore();
    const sweeper = createStuckSweeper({
      store,
      clock: { now: () => 1 },
      stuckAfterMs: 1_000,
      logger: pino({ level: 'silent' }),
    });
    expect(await sweeper.sweep()).toBe(0);
    expect(store.calls).toEqual([]);
  });
});
