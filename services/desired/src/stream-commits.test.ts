import { describe, expect, it } from 'vitest';
import { noopObserver } from './observer.ts';
import type { StoredPosition } from './position.ts';
import type { PublisherPort } from './ports.ts';
import { StreamCommits } from './stream-commits.ts';
import type { TranslatorOutput } from './translator.ts';

/** Deferred is a promise the test settles by hand: a send or a save that has not returned yet. */
interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

const record = (key: string): TranslatorOutput => ({
  type: 'record',
  collection: 'databases',
  key,
  value: null,
  documentId: key,
  correlationId: key,
});

const position = (token: number): StoredPosition => ({
  collection: 'databases',
  start: { kind: 'resume-token', token: { _data: String(token) } },
  clusterTime: null,
  snapshotId: 'initial-1.1',
  savedAtMs: token,
});

const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** setup records every call in one log and lets the test acknowledge each send and save by hand. */
function setup() {
  const log: string[] = [];
  const sends: Deferred[] = [];
  const saves: Deferred[] = [];
  const publisher: PublisherPort = {
    publish: (outputs) => {
      log.push(`send ${outputs.map((output) => (output.type === 'record' ? output.key : '')).join(',')}`);
      const send = deferred();
      sends.push(send);
      return send.promise;
    },
  };
  const positions = {
    load: () => Promise.resolve(null),
    save: (saved: StoredPosition) => {
      log.push(`save ${saved.savedAtMs}`);
      const save = deferred();
      saves.push(save);
      return save.promise;
    },
  };
  const commits = new StreamCommits({
    collection: 'databases',
    publisher,
    positions,
    observer: noopObserver,
  });
  return { log, sends, saves, commits };
}

describe('StreamCommits', () => {
  it('sends one group at a time (what queued meanwhile, in order) and stores its newest position after its acknowledgement and the position before', async () => {
    const { log, sends, saves, commits } = setup();
    commits.add(1, [record('a')], position(1));
    await flush();
    commits.add(1, [record('a')], position(2));
    commits.add(2, [record('b'), record('c')], position(3));
    await flush();
    // Nothing more is sent before the first send is acknowledged (key "a" is in both).
    expect(log).toEqual(['send a']);
    expect(commits.changes).toBe(4);
    sends[0]?.resolve();
    await flush();
    expect(log).toEqual(['send a', 'save 1', 'send a,b,c']);
    // The second group is acknowledged while position 1 is still being stored: position 3 waits.
    sends[1]?.resolve();
    await flush();
    expect(log).toEqual(['send a', 'save 1', 'send a,b,c']);
    expect(commits.changes).toBe(4);
    saves[0]?.resolve();
    await flush();
    expect(log).toEqual(['send a', 'save 1', 'send a,b,c', 'save 3']);
    expect(commits.changes).toBe(3);
    saves[1]?.resolve();
    await commits.drain();
    expect(commits.changes).toBe(0);
  });

  it('stores nothing and sends nothing after a failed send, and reports the failure', async () => {
    const { log, sends, commits } = setup();
    commits.add(1, [record('a')], position(1));
    await flush();
    commits.add(1, [record('b')], position(2));
    sends[0]?.reject(new Error('broker gone'));
    await flush();
    expect(log).toEqual(['send a']);
    expect(() => commits.throwIfFailed()).toThrow('broker gone');
    await expect(commits.waitForProgress()).rejects.toThrow('broker gone');
    await expect(commits.drain()).rejects.toThrow('broker gone');
    await commits.settleAll();
    expect(log).toEqual(['send a']);
  });

  it('reports a failed store and stores nothing after it', async () => {
    const { log, sends, saves, commits } = setup();
    commits.add(1, [record('a')], position(1));
    await flush();
    sends[0]?.resolve();
    await flush();
    commits.add(1, [record('b')], position(2));
    await flush();
    saves[0]?.reject(new Error('mongo gone'));
    sends[1]?.resolve();
    await flush();
    await expect(commits.drain()).rejects.toThrow('mongo gone');
    expect(log).toEqual(['send a', 'save 1', 'send b']);
  });

  it('stores a position without outputs (an idle batch) after the batches before it', async () => {
    const { log, sends, saves, commits } = setup();
    commits.add(1, [record('a')], position(1));
    await flush();
    commits.add(0, [], position(2));
    await flush();
    expect(log).toEqual(['send a']);
    sends[0]?.resolve();
    await flush();
    saves[0]?.resolve();
    await flush();
    expect(log).toEqual(['send a', 'save 1', 'save 2']);
    saves[1]?.resolve();
    await commits.drain();
  });

  it('waiting for progress until the bound allows another read ends only once positions were stored', async () => {
    const { sends, saves, commits } = setup();
    commits.add(2, [record('a'), record('b')], position(1));
    let done = false;
    const waited = (async () => {
      while (commits.changes > 0) await commits.waitForProgress();
      done = true;
    })();
    await flush();
    sends[0]?.resolve();
    await flush();
    expect(done).toBe(false);
    saves[0]?.resolve();
    await waited;
    expect(commits.changes).toBe(0);
  });
});
