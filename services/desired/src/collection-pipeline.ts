import { DriftlineError } from '@driftline/shared/errors';
import type { Logger } from '@driftline/shared/logging';
import type { SourceCollection } from './change.ts';
import { formatClusterTime } from './change.ts';
import { KeyIndex } from './key-index.ts';
import type { CredentialsSealer } from './mapping.ts';
import type { DesiredObserver } from './observer.ts';
import {
  clusterTimeOfResumeToken,
  positionLostReason,
  type PositionLostReason,
  type StoredPosition,
} from './position.ts';
import type {
  ChangeBatch,
  ChangeSourcePort,
  KeyIndexSourcePort,
  PositionStorePort,
  PublisherPort,
  SnapshotPage,
} from './ports.ts';
import { StreamCommits } from './stream-commits.ts';
import { tombstonesForVanished, translateChange, type TranslatorOutput } from './translator.ts';

const maxResnapshotsInARow = 3;
// Two pages producing while a third is translated keep Kafka, MongoDB and the CPU busy at once;
// more only adds memory (each page is DESIRED_SNAPSHOT_PAGE_COUNT records).
const maxPagesInFlight = 2;

/** CollectionPipelineOptions wire one collection's pipeline to its ports and limits. */
export interface CollectionPipelineOptions {
  readonly collection: SourceCollection;
  readonly source: ChangeSourcePort;
  readonly positions: PositionStorePort;
  readonly keyIndexSource: KeyIndexSourcePort;
  readonly publisher: PublisherPort;
  readonly observer: DesiredObserver;
  readonly logger: Logger;
  readonly now: () => number;
  readonly maxDocumentBytes: number;
  readonly seal: CredentialsSealer | null;
  /** Documents per snapshot page (one `find` with a limit, one Kafka send). */
  readonly snapshotPageSize: number;
  /** Most changes published (and positions saved) per stream batch. */
  readonly batchMaxChanges: number;
  /** Called after every change-stream read and snapshot page: feeds readiness (a stuck stream turns it red). */
  readonly onProgress?: () => void;
  /** Shortest interval between two saves of an unchanged-but-advanced idle position (post-batch token). */
  readonly idlePositionSaveIntervalMs: number;
}

/**
 * CollectionPipeline carries one collection (`databases` or `providers`) from MongoDB to its
 * compacted topic. `run` does, until the signal aborts:
 * 1. rebuild the key index from the output topic (what downstream holds);
 * 2. load the stored position; without one, snapshot: take the current cluster time FIRST, read
 *    the collection in bounded `_id` pages, publish every document, tombstone the keys downstream
 *    holds that no document holds any more, then store the position "stream from that cluster
 *    time" — so a change made during the snapshot is replayed by the stream (a harmless duplicate);
 * 3. stream: read a batch, publish it, and only after Kafka's acknowledgement store the batch's
 *    resume token; the next batch is read and translated meanwhile (see #stream). A crash at any
 *    instant repeats at most the `batchMaxChanges` changes in flight.
 * A lost position (history lost, invalidate, drop/rename, unattributable change) triggers a
 * resnapshot whose records carry a resync id. Any other error rejects `run`; the caller restarts
 * it after a backoff, from step 1, so no half-applied in-memory state survives a failure.
 */
export class CollectionPipeline {
  readonly #options: CollectionPipelineOptions;
  readonly #log: Logger;
  #index = new KeyIndex();
  #lastSaveAtMs = 0;

  constructor(options: CollectionPipelineOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'pipeline', collection: options.collection });
  }

  /** run carries changes until `signal` aborts (resolves) or an unrecoverable error (rejects). */
  async run(signal: AbortSignal): Promise<void> {
    const { collection, positions, keyIndexSource } = this.#options;
    this.#index = await keyIndexSource.load(collection);
    this.#log.info({ keys: this.#index.size }, 'key index rebuilt from the output topic');
    let position = await positions.load(collection);
    if (position === null) {
      position = await this.#snapshot(signal, null);
      if (position === null) return;
    }
    // A position lost again right after the resnapshot that produced it means the server cannot
    // keep up (oplog window shorter than a snapshot): give up and let the caller back off.
    let lostInARow = 0;
    while (!signal.aborted) {
      try {
        position = await this.#stream(signal, position, () => (lostInARow = 0));
        return;
      } catch (error) {
        const reason = positionLostReason(error);
        if (reason === null) throw error;
        lostInARow += 1;
        if (lostInARow > maxResnapshotsInARow) {
          throw new DriftlineError(
            'MONGO_UNAVAILABLE',
            `stream position lost ${lostInARow} times in a row (${reason})`,
            {
              cause: error,
              details: { collection },
            },
          );
        }
        this.#log.warn({ reason, err: error }, 'stream position lost: resnapshotting');
        const next = await this.#snapshot(signal, reason);
        if (next === null) return;
        position = next;
      }
    }
  }

  /**
   * #stream reads the next batch while earlier ones are still being published (StreamCommits):
   * reads and translations run in stream order, one publish at a time carries every batch read
   * since the previous publish began, and positions are stored in order, each only after
   * everything up to it was acknowledged. At most `batchMaxChanges` changes are read but not yet
   * stored at any time: that bounds memory and keeps the crash guarantee — a restart republishes
   * at most `batchMaxChanges` changes, however they were split into batches.
   */
  async #stream(signal: AbortSignal, from: StoredPosition, onProgress: () => void): Promise<StoredPosition> {
    const { collection, source, batchMaxChanges } = this.#options;
    let position = from;
    const cursor = await source.openChangeCursor(collection, position.start);
    this.#options.observer.streamOpened(collection);
    this.#log.info({ start: describeStart(position) }, 'change stream opened');
    const inFlight = new StreamCommits(this.#options);
    try {
      while (!signal.aborted) {
        inFlight.throwIfFailed();
        if (inFlight.changes >= batchMaxChanges) {
          await inFlight.waitForProgress();
          continue;
        }
        const batch = await cursor.nextBatch(batchMaxChanges - inFlight.changes);
        onProgress();
        this.#options.onProgress?.();
        const context = { ...this.#translatorSettings(), snapshotId: null };
        const outputs = batch.changes.flatMap((change) => translateChange(change, this.#index, context));
        const next = this.#positionAfter(position, batch);
        if (next !== null) {
          position = next;
          this.#lastSaveAtMs = next.savedAtMs;
        }
        if (outputs.length > 0 || next !== null) inFlight.add(batch.changes.length, outputs, next);
      }
      await inFlight.drain();
      return position;
    } finally {
      await inFlight.settleAll();
      await cursor
        .close()
        .catch((error: unknown) => this.#log.debug({ err: error }, 'closing the change stream failed'));
    }
  }

  /**
   * #positionAfter is the position to store once `batch` is acknowledged, or null when there is
   * none to store: no token yet, or an idle batch whose token is unchanged or comes within the idle
   * save interval.
   */
  #positionAfter(position: StoredPosition, batch: ChangeBatch): StoredPosition | null {
    if (batch.resumeToken === null) return null;
    const idle = batch.changes.length === 0;
    const nowMs = this.#options.now();
    if (idle && nowMs - this.#lastSaveAtMs < this.#options.idlePositionSaveIntervalMs) return null;
    if (idle && sameToken(position, batch.resumeToken)) return null;
    return {
      collection: this.#options.collection,
      start: { kind: 'resume-token', token: batch.resumeToken },
      clusterTime: clusterTimeOfResumeToken(batch.resumeToken) ?? position.clusterTime,
      snapshotId: position.snapshotId,
      savedAtMs: nowMs,
    };
  }

  /**
   * #snapshot publishes the whole collection and returns the position to stream from, or null when
   * aborted (nothing is stored then: the next run starts the snapshot over).
   */
  async #snapshot(signal: AbortSignal, lost: PositionLostReason | null): Promise<StoredPosition | null> {
    const { collection, source, publisher, positions, observer, snapshotPageSize } = this.#options;
    const clusterTime = await source.currentClusterTime();
    const snapshotId = `${lost === null ? 'initial' : 'resync'}-${formatClusterTime(clusterTime)}`;
    const resyncId = lost === null ? null : snapshotId;
    if (lost !== null) observer.resync(collection, lost, snapshotId);
    observer.snapshotStarted(collection, snapshotId);
    this.#log.info({ snapshotId, resync: lost !== null }, 'snapshot started');
    const fresh = new KeyIndex();
    const context = { ...this.#translatorSettings(), snapshotId };
    let documents = 0;
    // Three stages overlap: the next page is read while the current one is translated, and up to
    // `maxPagesInFlight` translated pages are being produced. Safe because a snapshot's pages hold
    // distinct keys (per-key order cannot be broken), the producer keeps send order anyway, and the
    // tombstones and the position come only after every page was acknowledged.
    const inFlight: Promise<void>[] = [];
    try {
      let pending: Promise<SnapshotPage> = source.readSnapshotPage(
        collection,
        null,
        snapshotPageSize,
        clusterTime,
      );
      for (;;) {
        const page = await pending;
        if (signal.aborted) return null;
        if (!page.done)
          pending = source.readSnapshotPage(collection, page.after, snapshotPageSize, clusterTime);
        const outputs: TranslatorOutput[] = page.changes.flatMap((change) =>
          translateChange(change, fresh, context),
        );
        documents += page.changes.length;
        if (outputs.length > 0) {
          const publishing = publisher
            .publish(outputs, { source: 'snapshot', resyncId })
            .then(() => observer.published(collection, 'snapshot', outputs));
          // Rejections surface at the await below; this keeps a later page's failure from being "unhandled".
          publishing.catch(() => undefined);
          inFlight.push(publishing);
          if (inFlight.length >= maxPagesInFlight) await inFlight.shift();
        }
        this.#options.onProgress?.();
        if (page.done) break;
      }
      while (inFlight.length > 0) await inFlight.shift();
    } finally {
      await Promise.allSettled(inFlight);
    }
    const tombstones = tombstonesForVanished(collection, this.#index, fresh, snapshotId);
    if (tombstones.length > 0) {
      await publisher.publish(tombstones, { source: 'snapshot', resyncId });
      observer.published(collection, 'snapshot', tombstones);
    }
    this.#index = fresh;
    const position: StoredPosition = {
      collection,
      start: { kind: 'cluster-time', clusterTime },
      clusterTime,
      snapshotId,
      savedAtMs: this.#options.now(),
    };
    await positions.save(position);
    observer.positionSaved(position);
    observer.snapshotCompleted(collection, snapshotId, documents, tombstones.length);
    this.#log.info({ snapshotId, documents, tombstones: tombstones.length }, 'snapshot completed');
    return position;
  }

  #translatorSettings() {
    return {
      maxDocumentBytes: this.#options.maxDocumentBytes,
      seal: this.#options.seal,
      nowMs: this.#options.now(),
    };
  }
}

function sameToken(position: StoredPosition, token: Readonly<Record<string, unknown>>): boolean {
  return (
    position.start.kind === 'resume-token' && JSON.stringify(position.start.token) === JSON.stringify(token)
  );
}

function describeStart(position: StoredPosition): string {
  if (position.start.kind === 'cluster-time')
    return `clusterTime ${formatClusterTime(position.start.clusterTime)}`;
  return position.clusterTime === null
    ? 'resume token'
    : `resume token at ${formatClusterTime(position.clusterTime)}`;
}
