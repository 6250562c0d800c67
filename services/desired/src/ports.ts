import type { ClusterTime, SourceChange, SourceCollection } from './change.ts';
import type { KeyIndex } from './key-index.ts';
import type { ResumeToken, StoredPosition, StreamStart } from './position.ts';
import type { TranslatorOutput } from './translator.ts';

/**
 * ChangeBatch is what one read of a change stream returns: the changes in cluster-time order and
 * the resume token after them (the last event's, or the server's post-batch token when the
 * batch is empty), or null when the server reported none yet.
 */
export interface ChangeBatch {
  readonly changes: readonly SourceChange[];
  readonly resumeToken: ResumeToken | null;
}

/**
 * ChangeCursor is an open change stream on one collection. `nextBatch` waits at most the
 * adapter's await time and returns up to `maxChanges` changes (possibly none). It rejects with a
 * PositionLostError or a MongoDB error whose code `positionLostReason` recognises when the
 * position can never be resumed; with other errors when the server is unreachable.
 */
export interface ChangeCursor {
  nextBatch(maxChanges: number): Promise<ChangeBatch>;
  close(): Promise<void>;
}

/**
 * SnapshotPage is one bounded page of a snapshot in `_id` order; `after` is the cursor to pass
 * for the next page, null after the last page.
 */
export interface SnapshotPage {
  readonly changes: readonly SourceChange[];
  readonly after: unknown;
  readonly done: boolean;
}

/**
 * ChangeSourcePort is the narrow view of MongoDB the pipeline needs: the current cluster time
 * (taken before a snapshot, so the stream can continue from there), change streams from a
 * position, and bounded snapshot pages by `_id` range (each change stamped with the snapshot's
 * cluster time).
 */
export interface ChangeSourcePort {
  currentClusterTime(): Promise<ClusterTime>;
  openChangeCursor(collection: SourceCollection, start: StreamStart): Promise<ChangeCursor>;
  readSnapshotPage(
    collection: SourceCollection,
    after: unknown,
    limit: number,
    clusterTime: ClusterTime,
  ): Promise<SnapshotPage>;
}

/**
 * PositionStorePort keeps each collection's stream position durably. `save` is called only after
 * Kafka acknowledged every record up to the position.
 */
export interface PositionStorePort {
  load(collection: SourceCollection): Promise<StoredPosition | null>;
  save(position: StoredPosition): Promise<void>;
}

/**
 * KeyIndexSourcePort rebuilds a collection's key index from what downstream holds: the compacted
 * output topic read to its end (latest record per key; tombstones remove keys).
 */
export interface KeyIndexSourcePort {
  load(collection: SourceCollection): Promise<KeyIndex>;
}

/**
 * PublishMarker says where published records come from: `snapshot` or `stream`, and for a
 * resnapshot after a lost position the resync id every record carries as a header.
 */
export interface PublishMarker {
  readonly source: 'snapshot' | 'stream';
  readonly resyncId: string | null;
}

/**
 * PublisherPort publishes translator outputs in order (records to the collection's topic, dead
 * letters to the dead-letter topic) and resolves only when Kafka acknowledged all of them.
 */
export interface PublisherPort {
  publish(outputs: readonly TranslatorOutput[], marker: PublishMarker): Promise<void>;
}
