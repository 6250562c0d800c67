import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { chunk } from './chunker.ts';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('chunk', () => {
  it('emits a chunk as soon as it is full', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('abcde|');
      expectObservable(source.pipe(chunk({ size: 2, maxWaitMs: 100 }))).toBe('-x-y-(z|)', {
        x: ['a', 'b'],
        y: ['c', 'd'],
        z: ['e'],
      });
    });
  });

  it('emits a partial chunk maxWaitMs after its first item, not after its last', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a 3ms b 10ms c 20ms |');
      // a at 0, b at 4: the chunk leaves at 0 + 10 = 10; c at 15 starts a new chunk, out at 25.
      expectObservable(source.pipe(chunk({ size: 10, maxWaitMs: 10 }))).toBe('10ms x 14ms y 10ms |', {
        x: ['a', 'b'],
        y: ['c'],
      });
    });
  });

  it('never emits an empty chunk while the source is idle', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('100ms |');
      expectObservable(source.pipe(chunk({ size: 3, maxWaitMs: 10 }))).toBe('100ms |');
    });
  });

  it('restarts the wait after a full chunk', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('ab 5ms c 20ms |');
      // a,b fill the chunk at 1; c arrives at 7 and waits its own 10 ms (out at 17).
      expectObservable(source.pipe(chunk({ size: 2, maxWaitMs: 10 }))).toBe('-x 15ms y 10ms |', {
        x: ['a', 'b'],
        y: ['c'],
      });
    });
  });

  it('flushes what is buffered when the source completes', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('abc|').pipe(chunk({ size: 5, maxWaitMs: 100 }))).toBe('---(x|)', {
        x: ['a', 'b', 'c'],
      });
    });
  });

  it('passes an error on at once and drops the partial chunk', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('ab#').pipe(chunk({ size: 5, maxWaitMs: 100 }))).toBe('--#');
    });
  });

  it('cancels its timer on unsubscribe', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a 50ms |').pipe(chunk({ size: 5, maxWaitMs: 10 })), '^ 5ms !').toBe('');
    });
  });

  it('rejects a size below one or a negative wait', () => {
    expect(() => chunk({ size: 0, maxWaitMs: 1 })).toThrow(RangeError);
    expect(() => chunk({ size: 1, maxWaitMs: -1 })).toThrow(RangeError);
  });
});
