import {
  BSON,
  Timestamp,
  type ChangeStream,
  type ChangeStreamDocument,
  type ChangeStreamOptions,
  type Db,
  type Document,
  type FindCursor,
} from 'mongodb';
import type { ClusterTime, SourceChange, SourceCollection } from './change.ts';
import { documentIdOf, documentIdOfBson } from './document-id.ts';
import { PositionLostError, type StreamStart } from './position.ts';
import type { ChangeBatch, ChangeCursor, ChangeSourcePort, SnapshotPage } from './ports.ts';

/** FullDocumentMode is the change stream's `fullDocument` option (post-images need MongoDB 6+). */
export type FullDocumentMode = 'updateLookup' | 'whenAvailable' | 'required';

/** MongoSourceOptions configure the MongoDB change source. */
export interface MongoSourceOptions {
  /** Collection of stream positions; also where the clock probe document lives. */
  readonly positionsCollection: string;
  /** Collection names of the two sources (defaults: databases, providers). */
  readonly collectionNames: Readonly<Record<SourceCollection, string>>;
  readonly fullDocument: FullDocumentMode;
  /** How long one `getMore` on the change stream waits for events. */
  readonly maxAwaitTimeMs: number;
  /** Longest wait for the clock probe's own change event. */
  readonly clockProbeTimeoutMs: number;
}

const CLOCK_PROBE_ID = '__driftline_clock__';

function clusterTimeOf(value: unknown): ClusterTime | null {
  if (value instanceof Timestamp) return { t: value.t, i: value.i };
  return null;
}

function sameId(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  return documentIdOf(a) === documentIdOf(b);
}

function sizeOf(document: Document | null | undefined): number {
  return document === null || document === undefined ? 0 : BSON.calculateObjectSize(document);
}

/**
 * SnapshotRead is a document read by a snapshot, kept as its raw BSON: the translator reads the
 * common `databases` shape from the bytes, so most documents are never decoded whole (the `bson`
 * package's deserializer was a tenth of the snapshot's CPU and half of its allocations).
 * `document` decodes on first read and keeps the result.
 */
export class SnapshotRead implements SourceChange {
  readonly operationType = 'snapshot';
  readonly wallTimeMs = null;
  readonly collection: SourceCollection;
  readonly bson: Buffer;
  readonly sizeBytes: number;
  readonly clusterTime: ClusterTime;
  readonly documentId: string;
  #document: Document | undefined;

  constructor(collection: SourceCollection, bson: Buffer, clusterTime: ClusterTime) {
    this.collection = collection;
    this.bson = bson;
    this.sizeBytes = bson.length;
    this.clusterTime = clusterTime;
    this.documentId = documentIdOfBson(bson) ?? documentIdOf(this.document['_id']);
  }

  get document(): Document {
    this.#document ??= BSON.deserialize(this.bson);
    return this.#document;
  }
}

/**
 * createMongoSource adapts a MongoDB database to ChangeSourcePort.
 * - `currentClusterTime` writes a probe document into the positions collection and reads the
 *   cluster time of its own change event: an exact server cluster time on a real replica set and
 *   on mongo-java-server alike (the latter has neither sessions nor an initial post-batch token).
 * - Change events: `insert`/`update`/`replace`/`delete` become SourceChanges; `invalidate`,
 *   `drop`, `rename` and `dropDatabase` raise PositionLostError('invalidate'). When an update's
 *   `fullDocument` lacks `_id` (mongo-java-server's `updateLookup` fails for string ids and
 *   returns the `$set` delta), the adapter looks the document up by `documentKey._id` itself;
 *   when no `_id` is anywhere in the event (mongo-java-server puts the update spec in
 *   `documentKey`), it raises PositionLostError('unidentifiable-change') so a resnapshot repairs
 *   what cannot be attributed.
 * - Snapshot pages: one `find({_id: {$gt: after}}).sort({_id: 1})` cursor with `batchSize(n)`,
 *   read a page at a time (bounded memory, one server-side sort); a new cursor resumes after the
 *   last `_id` when asked for another position. All `_id`s of one collection must share one BSON
 *   type (range queries bracket by type). Documents arrive as raw BSON: the size check needs each
 *   document's BSON size, which is then the buffer's length instead of a second walk over the
 *   decoded document (BSON.calculateObjectSize showed in the snapshot's CPU profile), and they
 *   stay raw (SnapshotRead): the common `databases` shape is read from the bytes.
 */
export function createMongoSource(db: Db, options: MongoSourceOptions): ChangeSourcePort {
  const positions = db.collection<{ _id: string }>(options.positionsCollection);
  const snapshotCursors = new Map<SourceCollection, { cursor: FindCursor<Buffer>; lastId: unknown }>();

  async function lookup(collection: SourceCollection, id: unknown): Promise<Document | null> {
    return db.collection(options.collectionNames[collection]).findOne({ _id: id as never });
  }

  async function toChange(
    collection: SourceCollection,
    event: ChangeStreamDocument,
  ): Promise<SourceChange | null> {
    switch (event.operationType) {
      case 'invalidate':
      case 'drop':
      case 'rename':
      case 'dropDatabase':
        throw new PositionLostError(
          'invalidate',
          `change stream on ${collection} ended by ${event.operationType}`,
        );
      case 'insert':
      case 'update':
      case 'replace':
      case 'delete':
        break;
      default:
        return null;
    }
    const clusterTime = clusterTimeOf(event.clusterTime);
    const wallTimeMs =
      'wallTime' in event && event.wallTime instanceof Date ? event.wallTime.getTime() : null;
    const keyId = (event.documentKey as Document | undefined)?.['_id'];
    if (event.operationType === 'delete') {
      if (keyId === undefined)
        throw new PositionLostError('unidentifiable-change', `delete on ${collection} without _id`);
      return {
        collection,
        operationType: 'delete',
        documentId: documentIdOf(keyId),
        document: null,
        sizeBytes: 0,
        clusterTime,
        wallTimeMs,
      };
    }
    let document: Document | null = (event.fullDocument as Document | null | undefined) ?? null;
    let id: unknown = document?.['_id'] ?? keyId;
    if (document !== null && document['_id'] === undefined) {
      if (keyId === undefined) {
        throw new PositionLostError(
          'unidentifiable-change',
          `${event.operationType} on ${collection} names no document`,
        );
      }
      document = await lookup(collection, keyId);
      id = keyId;
    }
    if (id === undefined)
      throw new PositionLostError(
        'unidentifiable-change',
        `${event.operationType} on ${collection} without _id`,
      );
    return {
      collection,
      operationType: event.operationType,
      documentId: documentIdOf(id),
      document,
      sizeBytes: sizeOf(document),
      clusterTime,
      wallTimeMs,
    };
  }

  return {
    async currentClusterTime(): Promise<ClusterTime> {
      const probe = positions.watch([{ $match: { 'documentKey._id': CLOCK_PROBE_ID } }], {
        maxAwaitTimeMS: Math.min(options.maxAwaitTimeMs, 500),
      });
      try {
        await probe.tryNext();
        await positions.updateOne(
          { _id: CLOCK_PROBE_ID },
          { $inc: { probes: 1 }, $set: { probedAt: new Date() } },
          { upsert: true },
        );
        const deadline = Date.now() + options.clockProbeTimeoutMs;
        while (Date.now() < deadline) {
          const event = await probe.tryNext();
          const time = event === null ? null : clusterTimeOf(event.clusterTime);
          if (time !== null) return time;
        }
        throw new Error(`no change event for the clock probe within ${options.clockProbeTimeoutMs} ms`);
      } finally {
        await probe.close();
      }
    },

    async openChangeCursor(collection: SourceCollection, start: StreamStart): Promise<ChangeCursor> {
      const streamOptions: ChangeStreamOptions = {
        fullDocument: options.fullDocument,
        maxAwaitTimeMS: options.maxAwaitTimeMs,
        ...(start.kind === 'resume-token'
          ? { resumeAfter: start.token }
          : { startAtOperationTime: new Timestamp({ t: start.clusterTime.t, i: start.clusterTime.i }) }),
      };
      const stream: ChangeStream = db
        .collection(options.collectionNames[collection])
        .watch([], streamOptions);
      return {
        async nextBatch(maxChanges: number): Promise<ChangeBatch> {
          const changes: SourceChange[] = [];
          let event = await stream.tryNext();
          while (event !== null) {
            const change = await toChange(collection, event);
            if (change !== null) changes.push(change);
            if (changes.length >= maxChanges || stream.bufferedCount() === 0) break;
            event = await stream.tryNext();
          }
          return { changes, resumeToken: (stream.resumeToken as Document | null | undefined) ?? null };
        },
        close: () => stream.close(),
      };
    },

    async readSnapshotPage(
      collection: SourceCollection,
      after: unknown,
      limit: number,
      clusterTime: ClusterTime,
    ): Promise<SnapshotPage> {
      // One sorted cursor per snapshot, read a page (batch) at a time: the server sorts once
      // instead of once per page. If the cursor is gone or another position is asked for, a new
      // one starts after the last `_id` (the `$gt` range keeps the read resumable and bounded).
      let open = snapshotCursors.get(collection);
      if (open === undefined || !sameId(open.lastId, after)) {
        await open?.cursor.close().catch(() => undefined);
        const filter = after === null ? {} : { _id: { $gt: after } };
        open = {
          cursor: db
            .collection(options.collectionNames[collection])
            .find(filter as Document, { raw: true })
            .sort({ _id: 1 })
            .batchSize(limit) as unknown as FindCursor<Buffer>,
          lastId: after,
        };
        snapshotCursors.set(collection, open);
      }
      const raws: Buffer[] = [];
      // Whole server batches at once: one await per batch instead of one per document.
      while (raws.length < limit && (open.cursor.bufferedCount() > 0 || (await open.cursor.hasNext()))) {
        raws.push(...open.cursor.readBufferedDocuments(limit - raws.length));
      }
      const changes = raws.map((raw) => new SnapshotRead(collection, raw, clusterTime));
      const done = changes.length < limit;
      open.lastId = changes.at(-1)?.document?.['_id'] ?? after;
      if (done) {
        snapshotCursors.delete(collection);
        await open.cursor.close().catch(() => undefined);
      }
      return { changes, after: open.lastId, done };
    },
  };
}
