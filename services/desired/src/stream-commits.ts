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

interface Batch {
  readonly changes: number;
  readonly outputs: readonly TranslatorOutput[];
  readonly position: StoredPosition | null;
}

/**
 * StreamCommits publishes stream batches and stores their positions in the background, in the
 * order they were added, so the pipeline can read the next batch meanwhile. Two stages, each
 * taking everything that queued up while it was busy (group commit):
 * - send: one publish of every batch added since the last publish began, in order — one Kafka
 *   round trip however small the change stream's batches were, and a key changed in two batches
 *   reaches Kafka in change order (there is never more than one publish in flight);
 * - store: once a group was acknowledged, store its newest position (a position covers every
 *   change before it) — while the next group is already being sent. Positions are stored in
 *   order and only after everything up to them was acknowledged.
 * After the first failure nothing more is published or stored; the pipeline sees it at
 * `throwIfFailed`, `waitForProgress` or `drain` and restarts from the stored position.
 * `changes` counts the source changes added but not yet stored: the caller's bound.
 */
export class StreamCommits {
  readonly #ports: StreamCommitPorts;
  #unsent: Batch[] = [];
  #unstored: Batch[] = [];
  #sending: Promise<void> | null = null;
  #storing: Promise<void> | null = null;
  #failure: { readonly error: unknown } | null = null;
  #changes = 0;
  #waiters: (() => void)[] = [];

  constructor(ports: StreamCommitPorts) {
    this.#ports = ports;
  }

  /** changes is the number of source changes added and not yet stored. */
  get changes(): number {
    return this.#changes;
  }

  /** add queues one batch: its outputs to publish, then its position (when not null) to store. */
  add(changes: number, outputs: readonly TranslatorOutput[], position: StoredPosition | null): void {
    this.#unsent.push({ changes, outputs, position });
    this.#changes += changes;
    this.#startSending();
  }

  /** throwIfFailed rethrows the first publish or store failure. */
  throwIfFailed(): void {
    if (this.#failure !== null) throw this.#failure.error;
  }

  /** waitForProgress waits until a position was stored or a stage stopped (rejects on failure). */
  async waitForProgress(): Promise<void> {
    this.throwIfFailed();
    if (this.#idle()) return;
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
    this.throwIfFailed();
  }

  /** drain waits until every added batch is stored (rejects on the first failure). */
  async drain(): Promise<void> {
    while (!this.#idle()) await this.waitForProgress();
    this.throwIfFailed();
  }

  /** settleAll waits until no publish or store is running any more, whatever the outcome. */
  async settleAll(): Promise<void> {
    while (this.#sending !== null || this.#storing !== null) {
      await Promise.all([this.#sending, this.#storing]);
    }
  }

  #idle(): boolean {
    return (
      this.#unsent.length === 0 &&
      this.#unstored.length === 0 &&
      this.#sending === null &&
      this.#storing === null
    );
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  #fail(error: unknown): void {
    this.#failure ??= { error };
  }

  #startSending(): void {
    if (this.#sending !== null || this.#unsent.length === 0 || this.#failure !== null) return;
    this.#sending = this.#send()
      .catch((error: unknown) => this.#fail(error))
      .finally(() => {
        this.#sending = null;
        this.#wake();
        this.#startSending();
      });
  }

  #startStoring(): void {
    if (this.#storing !== null || this.#unstored.length === 0 || this.#failure !== null) return;
    this.#storing = this.#store()
      .catch((error: unknown) => this.#fail(error))
      .finally(() => {
        this.#storing = null;
        this.#wake();
        this.#startStoring();
      });
  }

  async #send(): Promise<void> {
    const { collection, publisher, observer } = this.#ports;
    while (this.#unsent.length > 0 && this.#failure === null) {
      const group = this.#unsent;
      this.#unsent = [];
      const outputs = group.flatMap((batch) => batch.outputs);
      if (outputs.length > 0) {
        await publisher.publish(outputs, { source: 'stream', resyncId: null });
        observer.published(collection, 'stream', outputs);
      }
      this.#unstored.push(...group);
      this.#startStoring();
    }
  }

  async #store(): Promise<void> {
    const { positions, observer } = this.#ports;
    while (this.#unstored.length > 0 && this.#failure === null) {
      const group = this.#unstored;
      this.#unstored = [];
      const position = group.findLast((batch) => batch.position !== null)?.position ?? null;
      if (position !== null) {
        await positions.save(position);
        observer.positionSaved(position);
      }
      for (const batch of group) this.#changes -= batch.changes;
      this.#wake();
    }
  }
}
