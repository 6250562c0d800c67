import type { SourceCollection } from './change.ts';
import type { PositionLostReason, StoredPosition } from './position.ts';
import type { TranslatorOutput } from './translator.ts';

/**
 * DesiredObserver receives the desired service's typed events; the metrics module turns them
 * into prom-client series, tests record them. Every method is optional to call-site cost: the
 * no-op observer is the default, so pure code never needs a registry.
 */
export interface DesiredObserver {
  /** published: a batch of outputs was acknowledged by Kafka. */
  published(
    collection: SourceCollection,
    source: 'snapshot' | 'stream',
    outputs: readonly TranslatorOutput[],
  ): void;
  /** positionSaved: a stream position was stored. */
  positionSaved(position: StoredPosition): void;
  /** snapshotStarted / snapshotCompleted bracket a (re)snapshot. */
  snapshotStarted(collection: SourceCollection, snapshotId: string): void;
  snapshotCompleted(
    collection: SourceCollection,
    snapshotId: string,
    documents: number,
    tombstones: number,
  ): void;
  /** resync: the stored position was lost and a resnapshot begins. */
  resync(collection: SourceCollection, reason: PositionLostReason, snapshotId: string): void;
  /** streamOpened: the change stream (re)opened; `connected` feeds readiness. */
  streamOpened(collection: SourceCollection): void;
  /** streamFailed: the pipeline stopped on an error and will be restarted. */
  streamFailed(collection: SourceCollection, error: unknown): void;
}

/** noopObserver ignores every event. */
export const noopObserver: DesiredObserver = {
  published: () => undefined,
  positionSaved: () => undefined,
  snapshotStarted: () => undefined,
  snapshotCompleted: () => undefined,
  resync: () => undefined,
  streamOpened: () => undefined,
  streamFailed: () => undefined,
};
