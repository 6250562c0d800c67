import { Timestamp, type Collection, type Db, type Document } from 'mongodb';
import type { ClusterTime, SourceCollection } from './change.ts';
import type { StoredPosition, StreamStart } from './position.ts';
import type { PositionStorePort } from './ports.ts';

interface PositionDocument {
  _id: string;
  collection: SourceCollection;
  start: { kind: 'resume-token'; token: Document } | { kind: 'cluster-time'; clusterTime: Timestamp };
  clusterTime: Timestamp | null;
  snapshotId: string;
  savedAt: Date;
}

const toTimestamp = (time: ClusterTime) => new Timestamp({ t: time.t, i: time.i });
const fromTimestamp = (time: Timestamp) => ({ t: time.t, i: time.i });

/**
 * createMongoPositionStore keeps stream positions in a MongoDB collection (default
 * `driftline_positions`), one document per `<instance>:<collection>`, replaced with majority
 * write concern so a position survives a failover of the replica set. Positions sit beside the
 * data they describe: restoring the platform database from a backup restores a matching position
 * (and a position older than the oplog then triggers a resnapshot instead of silent gaps).
 */
export function createMongoPositionStore(
  db: Db,
  collectionName: string,
  instance: string,
): PositionStorePort {
  const positions: Collection<PositionDocument> = db.collection<PositionDocument>(collectionName);
  const idOf = (collection: SourceCollection) => `${instance}:${collection}`;
  return {
    async load(collection: SourceCollection): Promise<StoredPosition | null> {
      const doc = await positions.findOne({ _id: idOf(collection) });
      if (doc === null) return null;
      const start: StreamStart =
        doc.start.kind === 'resume-token'
          ? { kind: 'resume-token', token: doc.start.token }
          : { kind: 'cluster-time', clusterTime: fromTimestamp(doc.start.clusterTime) };
      return {
        collection,
        start,
        clusterTime: doc.clusterTime === null ? null : fromTimestamp(doc.clusterTime),
        snapshotId: doc.snapshotId,
        savedAtMs: doc.savedAt.getTime(),
      };
    },
    async save(position: StoredPosition): Promise<void> {
      const start: PositionDocument['start'] =
        position.start.kind === 'resume-token'
          ? { kind: 'resume-token', token: position.start.token as Document }
          : { kind: 'cluster-time', clusterTime: toTimestamp(position.start.clusterTime) };
      await positions.replaceOne(
        { _id: idOf(position.collection) },
        {
          collection: position.collection,
          start,
          clusterTime: position.clusterTime === null ? null : toTimestamp(position.clusterTime),
          snapshotId: position.snapshotId,
          savedAt: new Date(position.savedAtMs),
        },
        { upsert: true, writeConcern: { w: 'majority' } },
      );
    },
  };
}
