import type { ClusterTime, SourceChange, SourceCollection } from '../change.ts';
import { compareClusterTime } from '../change.ts';
import { KeyIndex } from '../key-index.ts';
import { PositionLostError, type StoredPosition, type StreamStart } from '../position.ts';
import type {
  ChangeBatch,
  ChangeCursor,
  ChangeSourcePort,
  KeyIndexSourcePort,
  PositionStorePort,
  PublisherPort,
  PublishMarker,
  SnapshotPage,
} from '../ports.ts';
import type { TranslatorOutput } from '../translator.ts';

interface OplogEntry {
  readonly change: SourceChange;
  readonly token: { _data: string };
}

const tokenOf = (time: ClusterTime) =>
  ({ _data: time.t.toString(16).padStart(8, '0') + time.i.toString(16).padStart(8, '0') }) as const;

/**
 * InMemorySource is a fake MongoDB for the pipeline: two collections, an oplog with cluster
 * times and resume tokens, snapshot pages by `_id`, and fault switches (`loseHistory`,
 * `onSnapshotPage`). Changes are recorded with `insert`/`update`/`remove`.
 */
export class InMemorySource implements ChangeSourcePort {
  readonly documents: Record<SourceCollection, Map<string, Record<string, unknown>>> = {
    databases: new Map(),
    providers: new Map(),
  };
  readonly oplog: OplogEntry[] = [];
  #clock = { t: 1_000, i: 0 };
  /** When set, opening a stream from a position older than this fails with code 286. */
  historyStartsAt: ClusterTime | null = null;

  /** loseHistory rolls the oplog over: every position before now can no longer be resumed. */
  loseHistory(): void {
    this.historyStartsAt = this.#tick();
  }
  /** Called before each snapshot page is read (inject concurrent writes). */
  onSnapshotPage: (() => void) | null = null;

  #tick(): ClusterTime {
    this.#clock = { t: this.#clock.t, i: this.#clock.i + 1 };
    return this.#clock;
  }

  write(collection: SourceCollection, id: string, document: Record<string, unknown> | null): void {
    const existed = this.documents[collection].has(id);
    if (document === null) this.documents[collection].delete(id);
    else this.documents[collection].set(id, document);
    const clusterTime = this.#tick();
    this.oplog.push({
      token: tokenOf(clusterTime),
      change: {
        collection,
        operationType: document === null ? 'delete' : existed ? 'replace' : 'insert',
        documentId: id,
        document,
        sizeBytes: JSON.stringify(document ?? {}).length,
        clusterTime,
        wallTimeMs: null,
      },
    });
  }

  async currentClusterTime(): Promise<ClusterTime> {
    return this.#tick();
  }

  async openChangeCursor(collection: SourceCollection, start: StreamStart): Promise<ChangeCursor> {
    const after = (entry: OplogEntry): boolean =>
      start.kind === 'cluster-time'
        ? compareClusterTime(entry.change.clusterTime as ClusterTime, start.clusterTime) >= 0
        : entry.token._data > String(start.token['_data']);
    const startTime =
      start.kind === 'cluster-time'
        ? start.clusterTime
        : {
            t: Number.parseInt(String(start.token['_data']).slice(0, 8), 16),
            i: Number.parseInt(String(start.token['_data']).slice(8), 16),
          };
    if (this.historyStartsAt !== null && compareClusterTime(startTime, this.historyStartsAt) < 0) {
      throw Object.assign(new Error('Resume of change stream was not possible'), { code: 286 });
    }
    let read = this.oplog.findIndex(after);
    if (read < 0) read = this.oplog.length;
    let lastToken: { _data: string } | null = null;
    return {
      nextBatch: async (max: number): Promise<ChangeBatch> => {
        const changes: SourceChange[] = [];
        while (read < this.oplog.length && changes.length < max) {
          const entry = this.oplog[read] as OplogEntry;
          read += 1;
          if (entry.change.collection !== collection) continue;
          if (entry.change.documentId === '__invalidate__')
            throw new PositionLostError('invalidate', 'dropped');
          changes.push(entry.change);
          lastToken = entry.token;
        }
        await new Promise((resolve) => setImmediate(resolve));
        return { changes, resumeToken: lastToken };
      },
      close: async () => undefined,
    };
  }

  async readSnapshotPage(
    collection: SourceCollection,
    after: unknown,
    limit: number,
    clusterTime: ClusterTime,
  ): Promise<SnapshotPage> {
    this.onSnapshotPage?.();
    const ids = [...this.documents[collection].keys()]
      .sort()
      .filter((id) => after === null || id > String(after));
    const page = ids.slice(0, limit);
    const changes: SourceChange[] = page.map((id) => ({
      collection,
      operationType: 'snapshot',
      documentId: id,
      document: this.documents[collection].get(id) ?? null,
      sizeBytes: 10,
      clusterTime,
      wallTimeMs: null,
    }));
    return { changes, after: page.at(-1) ?? after, done: ids.length <= limit };
  }
}

/** InMemoryTopics is a fake of the two compacted output topics plus the dead-letter topic. */
export class InMemoryTopics implements PublisherPort, KeyIndexSourcePort {
  readonly log: { output: TranslatorOutput; marker: PublishMarker }[] = [];
  /** Throws (simulating a crash before Kafka acknowledged) when it returns true for a batch. */
  failWhen: ((outputs: readonly TranslatorOutput[]) => boolean) | null = null;

  async publish(outputs: readonly TranslatorOutput[], marker: PublishMarker): Promise<void> {
    if (this.failWhen?.(outputs) === true) throw new Error('broker unavailable');
    for (const output of outputs) if (output.type !== 'skip') this.log.push({ output, marker });
  }

  /** table is the compacted view of one collection's topic: key → latest value (tombstones removed). */
  table(collection: SourceCollection): Map<string, unknown> {
    const table = new Map<string, unknown>();
    for (const { output } of this.log) {
      if (output.type !== 'record' || output.collection !== collection) continue;
      if (output.value === null) table.delete(output.key);
      else table.set(output.key, output.value);
    }
    return table;
  }

  async load(collection: SourceCollection): Promise<KeyIndex> {
    const index = new KeyIndex();
    for (const { output } of this.log) {
      if (output.type !== 'record' || output.collection !== collection) continue;
      if (output.value === null) index.removeKey(output.key);
      else index.set(output.documentId, output.key);
    }
    return index;
  }
}

/** InMemoryPositions is a fake position store. */
export class InMemoryPositions implements PositionStorePort {
  readonly saved: StoredPosition[] = [];
  readonly current = new Map<SourceCollection, StoredPosition>();

  async load(collection: SourceCollection): Promise<StoredPosition | null> {
    return this.current.get(collection) ?? null;
  }

  async save(position: StoredPosition): Promise<void> {
    this.saved.push(position);
    this.current.set(position.collection, position);
  }
}
