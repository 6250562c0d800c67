import { describe, expect, it } from 'vitest';
import { createDispatcher } from './dispatcher.ts';

interface Gate {
  readonly chunk: readonly string[];
  readonly sequence: number;
  release(): void;
}

function harness(maxInFlight: number) {
  const started: Gate[] = [];
  const dispatcher = createDispatcher<string>({
    maxInFlight,
    idsOf: (item) => [item.split(':')[0] ?? item],
    run: (chunk, sequence) =>
      new Promise<void>((resolve) => {
        started.push({ chunk, sequence, release: resolve });
      }),
  });
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  const release = (index: number): void => {
    const gate = started[index];
    if (gate === undefined) throw new Error(`chunk ${index} never started`);
    gate.release();
  };
  return { dispatcher, started, flush, release };
}

describe('createDispatcher', () => {
  it('keeps at most maxInFlight chunks running, FIFO', async () => {
    const { dispatcher, started, flush, release } = harness(2);
    dispatcher.enqueue(['a:1']);
    dispatcher.enqueue(['b:1']);
    dispatcher.enqueue(['c:1']);
    expect(started.map((g) => g.chunk)).toEqual([['a:1'], ['b:1']]);
    expect(dispatcher.queued).toBe(1);
    release(1);
    await flush();
    expect(started.map((g) => g.sequence)).toEqual([1, 2, 3]);
    expect(dispatcher.inFlight).toBe(2);
  });

  it('never runs two chunks writing the same document at once, and holds later chunks behind', async () => {
    const { dispatcher, started, flush, release } = harness(3);
    dispatcher.enqueue(['a:1', 'b:1']);
    dispatcher.enqueue(['b:2']);
    dispatcher.enqueue(['c:1']);
    expect(started.map((g) => g.chunk)).toEqual([['a:1', 'b:1']]);
    release(0);
    await flush();
    expect(started.map((g) => g.chunk)).toEqual([['a:1', 'b:1'], ['b:2'], ['c:1']]);
  });

  it('idle resolves once everything queued has run', async () => {
    const { dispatcher, flush, release } = harness(1);
    dispatcher.enqueue(['a:1']);
    dispatcher.enqueue(['a:2']);
    let idle = false;
    void dispatcher.idle().then(() => (idle = true));
    release(0);
    await flush();
    expect(idle).toBe(false);
    release(1);
    await flush();
    expect(idle).toBe(true);
    expect(dispatcher.enqueued).toBe(2);
  });

  it('frees the slot when a chunk rejects', async () => {
    let calls = 0;
    const dispatcher = createDispatcher<string>({
      maxInFlight: 1,
      idsOf: (item) => [item],
      run: async () => {
        calls += 1;
        throw new Error('boom');
      },
    });
    dispatcher.enqueue(['x']);
    dispatcher.enqueue(['x']);
    await dispatcher.idle();
    expect(calls).toBe(2);
  });
});
