import { randomUUID } from 'node:crypto';
import type { ProviderHealth } from '@driftline/schemas';
import type { AvroSerde, KafkaClient } from '@driftline/shared/kafka';
import type { Logger } from '@driftline/shared/logging';
import { Observable, Subject } from 'rxjs';
import type { HealthChange } from './topology.ts';

/**
 * HealthTable is the provider-health topic as a table (provider id → latest record; a tombstone
 * removes it), shared by every partition's reconciler. Memory: one record per provider.
 */
export class HealthTable {
  readonly #table = new Map<string, ProviderHealth>();
  readonly #changes = new Subject<HealthChange>();

  /** apply records the latest health of a provider (`null` = tombstone) and tells subscribers. */
  apply(provider: string, value: ProviderHealth | null): void {
    if (value === null) this.#table.delete(provider);
    else this.#table.set(provider, value);
    this.#changes.next({ provider, value });
  }

  /** size is the number of providers with a health record. */
  get size(): number {
    return this.#table.size;
  }

  /**
   * changes$ emits the current table (one change per provider) on subscription, then every
   * change, synchronously and in order — what a partition built later needs to start in step.
   */
  changes$(): Observable<HealthChange> {
    return new Observable<HealthChange>((subscriber) => {
      for (const [provider, value] of this.#table) subscriber.next({ provider, value });
      return this.#changes.subscribe(subscriber);
    });
  }
}

/** HealthTableReader is a running reader of the provider-health topic into a HealthTable. */
export interface HealthTableReader {
  /** Resolves once every partition was read up to the high watermark it had at start. */
  readonly loaded: Promise<void>;
  isLoaded(): boolean;
  /** Epoch ms of the last fetch, for readiness. */
  lastPollAtMs(): number | null;
  stop(): Promise<void>;
}

/**
 * startHealthTableReader reads `topic` in full, from the beginning and then live, into `table`,
 * on every instance (a global table, like Kafka Streams' GlobalKTable). kafkajs cannot consume
 * without a group, so it joins a throwaway group of its own (a fresh id per process, never
 * committing) and deletes it on stop. An undecodable record is logged and skipped: health only
 * refines a key's status, it is never a reason to stop reconciling.
 */
export async function startHealthTableReader(options: {
  readonly kafka: KafkaClient;
  readonly serde: Pick<AvroSerde, 'decode'>;
  readonly topic: string;
  readonly table: HealthTable;
  readonly logger: Logger;
  readonly groupPrefix: string;
}): Promise<HealthTableReader> {
  const { kafka, serde, topic, table } = options;
  const logger = options.logger.child({ component: 'health-table', topic });
  const groupId = `${options.groupPrefix}-health-${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  const targets = new Map<number, bigint>();
  for (const o of await admin.fetchTopicOffsets(topic)) {
    if (BigInt(o.high) > BigInt(o.low)) targets.set(o.partition, BigInt(o.high));
  }
  let loaded = false;
  let markLoaded: () => void = () => undefined;
  const loadedPromise = new Promise<void>((resolve) => (markLoaded = resolve));
  const checkLoaded = () => {
    if (!loaded && targets.size === 0) {
      loaded = true;
      logger.info({ providers: table.size }, 'provider health table loaded');
      markLoaded();
    }
  };
  checkLoaded();
  let lastPoll: number | null = null;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 1_000, allowAutoTopicCreation: false });
  consumer.on(consumer.events.FETCH_START, () => (lastPoll = Date.now()));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        const provider = message.key?.toString('utf8');
        if (provider === undefined) continue;
        try {
          table.apply(provider, await serde.decode('providerHealth', message.value));
        } catch (error) {
          logger.warn(
            { err: error, partition: batch.partition, offset: message.offset },
            'health record skipped',
          );
        }
      }
      const high = targets.get(batch.partition);
      if (high !== undefined && BigInt(batch.lastOffset()) >= high - 1n) {
        targets.delete(batch.partition);
        checkLoaded();
      }
    },
  });
  return {
    loaded: loadedPromise,
    isLoaded: () => loaded,
    lastPollAtMs: () => lastPoll,
    async stop() {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch((error: unknown) => {
        logger.debug({ err: error, groupId }, 'health reader group not deleted');
      });
      await admin.disconnect();
    },
  };
}
