import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeadlineQueue } from './deadline-queue.ts';

describe('DeadlineQueue', () => {
  it('yields due ids earliest first, honouring replaced and deleted deadlines', () => {
    const queue = new DeadlineQueue();
    queue.set('a', 30);
    queue.set('b', 10);
    queue.set('c', 20);
    queue.set('a', 5);
    queue.delete('c');
    expect(queue.size).toBe(2);
    expect(queue.nextMs()).toBe(5);
    expect(queue.takeDue(10)).toEqual(['a', 'b']);
    expect(queue.takeDue(100)).toEqual([]);
    expect(queue.nextMs()).toBeNull();
    expect(queue.size).toBe(0);
  });

  it('agrees with a plain map of deadlines for any sequence of operations (property)', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('set' as const),
        id: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
        at: fc.integer({ min: 0, max: 50 }),
      }),
      fc.record({ kind: fc.constant('delete' as const), id: fc.constantFrom('a', 'b', 'c', 'd', 'e') }),
      fc.record({ kind: fc.constant('take' as const), now: fc.integer({ min: 0, max: 50 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const queue = new DeadlineQueue();
        const model = new Map<string, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            queue.set(o.id, o.at);
            model.set(o.id, o.at);
          } else if (o.kind === 'delete') {
            queue.delete(o.id);
            model.delete(o.id);
          } else {
            const due = [...model].filter(([, at]) => at <= o.now);
            for (const [id] of due) model.delete(id);
            const taken = queue.takeDue(o.now);
            expect(taken.slice().sort()).toEqual(due.map(([id]) => id).sort());
            const ats = due.map(([id, at]) => ({ id, at }));
            const order = taken.map((id) => ats.find((x) => x.id === id)?.at ?? -1);
            expect(order).toEqual(order.slice().sort((x, y) => x - y));
          }
          expect(queue.size).toBe(model.size);
          expect(queue.nextMs()).toBe(model.size === 0 ? null : Math.min(...model.values()));
        }
      }),
    );
  });
});
