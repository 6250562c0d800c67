import type { ProviderRecord } from '@driftline/schemas';
import type { CredentialsKeyring } from '@driftline/shared/credentials';
import { errorCodeOf } from '@driftline/shared/errors';
import type { CompactedReader, ConsumedBatch, TopicPartition } from '@driftline/shared/kafka';
import type { Logger } from '@driftline/shared/logging';
import { providerConfigFromRecord } from './provider-config.ts';
import type { ProviderConfig } from './watcher.ts';

/** OwnedProviders is what ownership drives: start the given providers, stop the given ids. */
export interface OwnedProviders {
  watch(configs: readonly ProviderConfig[]): Promise<void>;
  unwatch(providerIds: readonly string[]): Promise<void>;
}

/** OwnershipOptions wire `Ownership` to its inputs. */
export interface OwnershipOptions {
  readonly providersTopic: string;
  readonly reader: CompactedReader;
  readonly decode: (value: Buffer) => Promise<ProviderRecord | null>;
  readonly keyring: CredentialsKeyring;
  readonly providers: OwnedProviders;
  readonly logger: Logger;
  /** Called when a provider record cannot be watched (refused kubeconfig, unreadable credentials). */
  readonly onRefused?: (providerId: string, error: unknown) => void;
}

interface Entry {
  readonly partition: number;
  readonly offset: bigint;
}

/**
 * Ownership turns the consumer group's partition assignment on `providers.v1` into the set of
 * providers this instance watches — Kafka's assignment is the distributed lock: a provider's key
 * lives in one partition, a partition has one owner in the group, and a dead member's partitions
 * move to the others within the session timeout.
 * - `onAssigned(partitions)`: the committed offset of a partition says nothing about records
 *   before it, so the new owner reads those partitions of the compacted topic from the beginning
 *   to the high watermark and starts every provider found there;
 * - `onRevoked(partitions)`: stops the providers of those partitions;
 * - `handle(batch)`: live changes (new, changed, deleted providers) of owned partitions.
 * Both sources go through one table guarded by offset, so an older record (a live batch replayed
 * from an older committed offset, or a table read racing a tombstone) never overrides a newer one.
 */
export class Ownership {
  readonly #o: OwnershipOptions;
  readonly #logger: Logger;
  readonly #table = new Map<string, Entry>();
  readonly #owned = new Set<number>();

  constructor(options: OwnershipOptions) {
    this.#o = options;
    this.#logger = options.logger.child({ component: 'ownership' });
  }

  /** ownedPartitions lists the partitions of `providers.v1` this instance owns. */
  ownedPartitions(): number[] {
    return [...this.#owned].sort((a, b) => a - b);
  }

  onAssigned = async (partitions: readonly TopicPartition[]): Promise<void> => {
    const mine = partitions.filter((p) => p.topic === this.#o.providersTopic).map((p) => p.partition);
    if (mine.length === 0) return;
    for (const p of mine) this.#owned.add(p);
    this.#logger.info({ partitions: mine }, 'provider partitions assigned');
    const table = await this.#o.reader.latest({
      topics: [this.#o.providersTopic],
      partitions: new Set(mine),
    });
    const start: ProviderConfig[] = [];
    const stop: string[] = [];
    for (const record of table) {
      if (record.key === null) continue;
      await this.#apply(record.key, record.value, record.partition, BigInt(record.offset), start, stop);
    }
    await this.#flush(start, stop);
  };

  onRevoked = async (partitions: readonly TopicPartition[]): Promise<void> => {
    const lost = new Set(
      partitions.filter((p) => p.topic === this.#o.providersTopic).map((p) => p.partition),
    );
    if (lost.size === 0) return;
    const ids: string[] = [];
    for (const [id, entry] of this.#table) {
      if (lost.has(entry.partition)) {
        ids.push(id);
        this.#table.delete(id);
      }
    }
    for (const p of lost) this.#owned.delete(p);
    this.#logger.info({ partitions: [...lost], providers: ids }, 'provider partitions revoked');
    await this.#o.providers.unwatch(ids);
  };

  handle = async (batch: ConsumedBatch): Promise<void> => {
    if (batch.topic !== this.#o.providersTopic || !this.#owned.has(batch.partition)) return;
    const start: ProviderConfig[] = [];
    const stop: string[] = [];
    for (const record of batch.records) {
      if (record.key === null) continue;
      await this.#apply(record.key, record.value, record.partition, BigInt(record.offset), start, stop);
    }
    await this.#flush(start, stop);
  };

  async #flush(start: ProviderConfig[], stop: string[]): Promise<void> {
    const starting = new Set(start.map((c) => c.id));
    const stopping = stop.filter((id) => !starting.has(id));
    if (stopping.length > 0) await this.#o.providers.unwatch(stopping);
    // Last record per provider wins within one batch.
    const latest = new Map(start.map((c) => [c.id, c]));
    if (latest.size > 0) await this.#o.providers.watch([...latest.values()]);
  }

  async #apply(
    id: string,
    value: Buffer | null,
    partition: number,
    offset: bigint,
    start: ProviderConfig[],
    stop: string[],
  ): Promise<void> {
    const known = this.#table.get(id);
    if (known !== undefined && known.offset >= offset) return;
    this.#table.set(id, { partition, offset });
    if (value === null) {
      stop.push(id);
      const i = start.findIndex((c) => c.id === id);
      if (i !== -1) start.splice(i, 1);
      return;
    }
    try {
      const record = await this.#o.decode(value);
      if (record === null) {
        stop.push(id);
        return;
      }
      start.push(providerConfigFromRecord(record, this.#o.keyring));
    } catch (error) {
      // The message names the refused field, never a value (kubeconfig.ts, credentials).
      this.#logger.error(
        {
          provider: id,
          code: errorCodeOf(error),
          reason: error instanceof Error ? error.message : String(error),
        },
        'provider refused; not watching it',
      );
      stop.push(id);
      const i = start.findIndex((c) => c.id === id);
      if (i !== -1) start.splice(i, 1);
      this.#o.onRefused?.(id, error);
    }
  }
}
