import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { mapWithState, type Keyed, type KeyedStep } from './map-with-state.ts';

// A counter per key: '+' adds one and emits the running total, '0' drops the key's state.
const counter: KeyedStep<number, string, string> = (state, input, key) =>
  input === '0'
    ? { state: null, outputs: [`${key}:dropped`] }
    : { state: (state ?? 0) + 1, outputs: [`${key}:${(state ?? 0) + 1}`] };

describe('mapWithState', () => {
  it('keeps one state per key, emits every output in order, and drops state when the step returns null', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const store = new Map<string, number>();
    scheduler.run(({ cold, expectObservable }) => {
      const input$ = cold<Keyed<string>>('-a-b-c-d-e|', {
        a: { key: 'x', input: '+' },
        b: { key: 'y', input: '+' },
        c: { key: 'x', input: '+' },
        d: { key: 'x', input: '0' },
        e: { key: 'x', input: '+' },
      });
      const output$ = input$.pipe(mapWithState(counter, { store }));
      expectObservable(output$).toBe('-a-b-c-d-e|', {
        a: 'x:1',
        b: 'y:1',
        c: 'x:2',
        d: 'x:dropped',
        e: 'x:1',
      });
    });
    expect([...store]).toEqual([
      ['y', 1],
      ['x', 1],
    ]);
  });

  it('propagates an error thrown by the step', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const failure = new TypeError('bug');
    scheduler.run(({ cold, expectObservable }) => {
      const output$ = cold<Keyed<string>>('-a', { a: { key: 'x', input: '+' } }).pipe(
        mapWithState<number, string, string>(() => {
          throw failure;
        }),
      );
      expectObservable(output$).toBe('-#', undefined, failure);
    });
  });

  it('emits several outputs of one step synchronously, in order', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable }) => {
      const output$ = cold<Keyed<string>>('-a', { a: { key: 'x', input: 'in' } }).pipe(
        mapWithState<number, string, string>((_, input) => ({
          state: 1,
          outputs: [`${input}-1`, `${input}-2`],
        })),
      );
      expectObservable(output$).toBe('-(ab)', { a: 'in-1', b: 'in-2' });
    });
  });
});
