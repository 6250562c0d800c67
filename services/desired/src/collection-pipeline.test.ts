import { createLogger } from '@driftline/shared/logging';
import { describe, expect, it } from 'vitest';
import { CollectionPipeline } from './collection-pipeline.ts';
import { noopObserver, type DesiredObserver } from './observer.ts';
import { InMemoryPositions, InMemorySource, InMemoryTopics } from './testing/in-memory-source.ts';

const logger = createLogger({ service: 'desired-test', level: 'silent' });

function db(name: string, replicas = 1): Record<string, unknown> {
  return { provider: 'p1', namespace: 'ns', kind: 'MongoDB', name, version: '7.0', replicas };
}

function setup(observer: DesiredObserver = noopObserver) {
  const source = new InMemorySource();
  const topics = new InMemoryTopics();
  const positions = new InMemoryPositions();
  const pipeline = () =>
    new CollectionPipeline({
      collection: 'databases',
      source,
      positions,
      keyIndexSource: topics,
      publisher: topics,
      observer,
      logger,
      now: () => 0,
      maxDocumentBytes: 10_000,
      seal: null,
      snapshotPageSize: 2,
      batchMaxChanges: 3,
      idlePositionSaveIntervalMs: 0,
    });
  return { source, topics, positions, pipeline };
}

/** runUntil runs a pipeline until `done` holds (or it settles), then aborts it and returns its outcome. */
async function runUntil(pipeline: CollectionPipeline, done: () => boolean): Promise<unknown> {
  const controller = new AbortController();
  let settled = false;
  const outcome = pipeline.run(controller.signal).then(
    () => ((settled = true), null),
    (error: unknown) => ((settled = true), error),
  );
  for (let i = 0; i < 500 && !settled && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
  controller.abort();
  return outcome;
}

const replicasIn = (table: Map<string, unknown>) =>
  Object.fromEntries([...table].map(([key, value]) => [key, (value as { replicas: number }).replicas]));

describe('CollectionPipeline', () => {
  it('snapshots in pages, then streams live changes and stores positions', async () => {
    const { source, topics, positions, pipeline } = setup();
    for (const name of ['a', 'b', 'c', 'd', 'e']) source.write('databases', `id-${name}`, db(name));
    const run = pipeline();
    await runUntil(run, () => positions.saved.length >= 1);
    expect(topics.table('databases').size).toBe(5);
    expect(positions.saved[0]?.start.kind).toBe('cluster-time');
    source.write('databases', 'id-a', db('a', 3));
    source.write('databases', 'id-b', null);
    await runUntil(
      pipeline(),
      () => topics.table('databases').size === 4 && positions.saved.at(-1)?.start.kind === 'resume-token',
    );
    expect(replicasIn(topics.table('databases'))).toEqual({
      'p1/ns/MongoDB/a': 3,
      'p1/ns/MongoDB/c': 1,
      'p1/ns/MongoDB/d': 1,
      'p1/ns/MongoDB/e': 1,
    });
  });

  it('never misses a change made while the snapshot runs', async () => {
    const { source, topics, pipeline } = setup();
    for (const name of ['a', 'b', 'c', 'd']) source.write('databases', `id-${name}`, db(name));
    let pages = 0;
    source.onSnapshotPage = () => {
      pages += 1;
      // After the first page was read: update a document already read, delete one not yet read.
      if (pages === 2) {
        source.write('databases', 'id-a', db('a', 5));
        source.write('databases', 'id-d', null);
        source.write('databases', 'id-0', db('zero'));
      }
    };
    await runUntil(
      pipeline(),
      () =>
        replicasIn(topics.table('databases'))['p1/ns/MongoDB/a'] === 5 &&
        topics.table('databases').has('p1/ns/MongoDB/zero'),
    );
    expect(replicasIn(topics.table('databases'))).toEqual({
      'p1/ns/MongoDB/a': 5,
      'p1/ns/MongoDB/b': 1,
      'p1/ns/MongoDB/c': 1,
      'p1/ns/MongoDB/zero': 1,
    });
  });

  it('stores no position past what Kafka acknowledged: a failed publish is repeated after restart', async () => {
    const { source, topics, positions, pipeline } = setup();
    source.write('databases', 'id-a', db('a'));
    await runUntil(pipeline(), () => positions.saved.length >= 1);
    const savedBefore = positions.saved.length;
    topics.failWhen = () => true;
    source.write('databases', 'id-b', db('b'));
    const failure = await runUntil(pipeline(), () => false);
    expect(failure).toBeInstanceOf(Error);
    expect(positions.saved.length).toBe(savedBefore);
    topics.failWhen = null;
    await runUntil(pipeline(), () => topics.table('databases').has('p1/ns/MongoDB/b'));
    expect([...topics.table('databases').keys()].sort()).toEqual(['p1/ns/MongoDB/a', 'p1/ns/MongoDB/b']);
  });

  it('resnapshots when history is lost: tombstones for vanished keys, resync id on records, counted', async () => {
    const resyncs: string[] = [];
    const { source, topics, positions, pipeline } = setup({
      ...noopObserver,
      resync: (_c, reason) => resyncs.push(reason),
    });
    for (const name of ['a', 'b', 'c']) source.write('databases', `id-${name}`, db(name));
    await runUntil(pipeline(), () => positions.saved.length >= 1);
    // While the service is down: b deleted, c renamed, d inserted; then the oplog rolls over.
    source.write('databases', 'id-b', null);
    source.write('databases', 'id-c', db('c2'));
    source.write('databases', 'id-d', db('d'));
    source.loseHistory();
    const before = topics.log.length;
    await runUntil(pipeline(), () => positions.saved.at(-1)?.snapshotId.startsWith('resync') === true);
    expect(resyncs).toEqual(['history-lost']);
    expect([...topics.table('databases').keys()].sort()).toEqual([
      'p1/ns/MongoDB/a',
      'p1/ns/MongoDB/c2',
      'p1/ns/MongoDB/d',
    ]);
    const resynced = topics.log.slice(before);
    expect(resynced.every((entry) => entry.marker.resyncId?.startsWith('resync-') === true)).toBe(true);
    const tombstones = resynced
      .filter((e) => e.output.type === 'record' && e.output.value === null)
      .map((e) => e.output.type === 'record' && e.output.key);
    expect(tombstones.sort()).toEqual(['p1/ns/MongoDB/b', 'p1/ns/MongoDB/c']);
  });

  it('resnapshots on an invalidate (collection dropped)', async () => {
    const resyncs: string[] = [];
    const { source, topics, positions, pipeline } = setup({
      ...noopObserver,
      resync: (_c, reason) => resyncs.push(reason),
    });
    source.write('databases', 'id-a', db('a'));
    await runUntil(pipeline(), () => positions.saved.length >= 1);
    source.write('databases', 'id-a', null);
    source.documents.databases.clear();
    source.write('databases', '__invalidate__', {});
    source.documents.databases.delete('__invalidate__');
    await runUntil(
      pipeline(),
      () => resyncs.length > 0 && positions.saved.at(-1)?.snapshotId.startsWith('resync') === true,
    );
    expect(resyncs).toEqual(['invalidate']);
    expect(topics.table('databases').size).toBe(0);
  });

  it('dead-letters bad documents and carries on', async () => {
    const { source, topics, pipeline } = setup();
    source.write('databases', 'id-bad', { name: 'nope' });
    source.write('databases', 'id-a', db('a'));
    await runUntil(pipeline(), () => topics.table('databases').size === 1);
    expect(topics.log.filter((e) => e.output.type === 'dead-letter')).toHaveLength(1);
  });

  it('reads the next batch while one is being published, never more than batchMaxChanges unstored', async () => {
    const source = new InMemorySource();
    const topics = new InMemoryTopics();
    const positions = new InMemoryPositions();
    const held: (() => void)[] = [];
    const reads: number[] = [];
    const cursorOf = source.openChangeCursor.bind(source);
    source.openChangeCursor = async (collection, start) => {
      const cursor = await cursorOf(collection, start);
      return {
        nextBatch: async (max) => {
          const batch = await cursor.nextBatch(max);
          if (batch.changes.length > 0) reads.push(max);
          return batch;
        },
        close: () => cursor.close(),
      };
    };
    const pipeline = new CollectionPipeline({
      collection: 'databases',
      source,
      positions,
      keyIndexSource: topics,
      publisher: {
        publish: async (outputs, marker) => {
          // Stream sends wait until the test acknowledges them.
          if (marker.source === 'stream') await new Promise<void>((resolve) => held.push(resolve));
          await topics.publish(outputs, marker);
        },
      },
      observer: noopObserver,
      logger,
      now: () => 0,
      maxDocumentBytes: 10_000,
      seal: null,
      snapshotPageSize: 2,
      batchMaxChanges: 3,
      idlePositionSaveIntervalMs: 0,
    });
    const controller = new AbortController();
    const run = pipeline.run(controller.signal);
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 500 && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
      expect(done()).toBe(true);
    };
    await until(() => positions.saved.length === 1);
    source.write('databases', 'id-a', db('a'));
    source.write('databases', 'id-b', db('b'));
    await until(() => held.length === 1);
    // Batch 1 (a, b) is unacknowledged; the next read may take only 3 - 2 changes.
    source.write('databases', 'id-a', db('a', 2));
    source.write('databases', 'id-c', db('c'));
    await until(() => reads.length === 2);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toEqual([3, 1]);
    expect(held).toHaveLength(1);
    expect(positions.saved).toHaveLength(1);
    // Acknowledging batch 1 stores its position and lets batch 2 be sent, then c is read.
    held[0]?.();
    await until(() => held.length === 2 && positions.saved.length === 2);
    held[1]?.();
    await until(() => held.length === 3);
    held[2]?.();
    await until(() => topics.table('databases').has('p1/ns/MongoDB/c') && positions.saved.length === 4);
    // Batch 2 (one change) was still unstored when c was read.
    expect(reads).toEqual([3, 1, 2]);
    expect(replicasIn(topics.table('databases'))).toEqual({
      'p1/ns/MongoDB/a': 2,
      'p1/ns/MongoDB/b': 1,
      'p1/ns/MongoDB/c': 1,
    });
    controller.abort();
    await run;
  });
});
