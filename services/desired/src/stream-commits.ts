import type { SourceCollection } from './change.ts';
import type { DesiredObserver } from './observer.ts';
import type { StoredPosition } from './position.ts';
import type { PositionStorePort, PublisherPort } from './ports.ts';
import type { TranslatorOutput } from './translator.ts';

/** StreamCommitPorts are what committing a stream batch touches: Kafka, the position store, metrics. */
export interface StreamCommitPorts {
  readonly collection: SourceCollection;
  readonly publisher: PublisherPort;
  readonly positions: PositionStorePort;
  readonly observer: DesiredObserver;
}

/**
 * StreamCommits publishes stream batches and stores their positions in the background, in the
 * order they were added, so the pipeline can read the next batch meanwhile:
 * - publishes run one at a time, in order: a key changed in two batches reaches Kafka in change
 *   order (concurrent sends could interleave their chunks);
 * - a position is stored only after its own batch was acknowledged AND the position before it was
 *   stored, so the stored position never passes a change Kafka has not acknowledged;
 * - after the first failure nothing later is published or stored (the chains stop there); the
 *   pipeline sees it at `throwIfFailed`, `settleOldest` or `drain` and restarts from the stored
 *   position.
 * `changes` counts the source changes added but not yet stored: the caller's bound.
 */
export class StreamCommits {
  readonly #ports: StreamCommitPorts;
  #publishTail: Promise<void> = Promise.resolve();
  #storeTail: Promise<void> = Promise.resolve();
  readonly #pending = new Set<Promise<void>>();
  #failure: { readonly error: unknown } | null = null;
  #changes = 0;

  constructor(ports: StreamCommitPorts) {
    this.#ports = ports;
  }

  /** changes is the number of source changes added and not yet stored. */
  get changes(): number {
    return this.#changes;
  }

  /**
   * add queues one batch: publish `outputs` after every earlier batch was acknowledged, then store
   * `position` (when not null) after that and after every earlier position.
   */
  add(changes: number, outputs: readonly TranslatorOutput[], position: StoredPosition | null): void {
    const { collection, publisher, positions, observer } = this.#ports;
    const published =
      outputs.length === 0
        ? this.#publishTail
        : this.#publishTail.then(async () => {
            await publisher.publish(outputs, { source: 'stream', resyncId: null });
            observer.published(collection, 'stream', outputs);
          });
    this.#publishTail = published;
    const stored = Promise.all([published, this.#storeTail]).then(async () => {
      if (position === null) return;
      await positions.save(position);
      observer.positionSaved(position);
    });
    this.#storeTail = stored;
    this.#changes += changes;
    const settled = stored.then(
      () => {
        this.#changes -= changes;
      },
      (error: unknown) => {
        this.#failure ??= { error };
      },
    );
    this.#pending.add(stored);
    void settled.then(() => this.#pending.delete(stored));
  }

  /** throwIfFailed rethrows the first publish or store failure. */
  throwIfFailed(): void {
    if (this.#failure !== null) throw this.#failure.error;
  }

  /** settleOldest waits until the oldest unsettled batch is stored (rejects on failure). */
  async settleOldest(): Promise<void> {
    const [oldest] = this.#pending;
    if (oldest !== undefined) await oldest;
    this.throwIfFailed();
  }

  /** drain waits until every added batch is stored (rejects on the first failure). */
  async drain(): Promise<void> {
    await this.#storeTail;
    this.throwIfFailed();
  }

  /** settleAll waits until nothing is running any more, whatever the outcome (before closing). */
  async settleAll(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }
}
