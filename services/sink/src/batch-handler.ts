import type { TopicId, TopicValues } from '@driftline/schemas';
import { judge } from '@driftline/shared/errors';
import type { BatchHandler, ConsumedRecord } from '@driftline/shared/kafka';
import type { Logger } from '@driftline/shared/logging';
import type { Clock } from '@driftline/shared/resilience';
import type { RecordFailure } from './chunk-writer.ts';
import { toDeadLetter, type DeadLetterPort } from './dead-letter.ts';
import { planRecord, type SinkInput } from './projection.ts';
import type { Sink } from './sink.ts';
import { sourceOffsetOf } from './version-guard.ts';
import type { RecordPlan } from './write-plan.ts';

/** SinkTopicId is a topic the sink projects. */
export type SinkTopicId = 'operations' | 'observed' | 'drift';

/** BatchHandlerOptions wire `createBatchHandler`. */
export interface BatchHandlerOptions {
  /** Kafka topic name → topic id, for the three topics the sink consumes. */
  readonly topics: Readonly<Record<SinkTopicId, string>>;
  /** Decodes a framed Avro value (the shared serde); null stays null (tombstone). */
  readonly decode: <K extends SinkTopicId>(id: K, value: Buffer | null) => Promise<TopicValues[K] | null>;
  readonly sink: Sink;
  readonly deadLetters: DeadLetterPort;
  readonly service: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

type Prepared = { readonly plan: RecordPlan } | { readonly failure: RecordFailure };

/**
 * createBatchHandler is the consumer's BatchHandler. For each record: decode it (an undecodable
 * value or a record without a key is dead-lettered as a bad input; an unreachable schema registry
 * rejects the batch, which is then read again), plan its writes, and hand the plans to the sink.
 * It resolves — letting the runner commit the batch's offsets — only once every record was
 * acknowledged by MongoDB or dead-lettered (the dead letters acknowledged by Kafka), so an offset
 * is never committed ahead of its write.
 */
export function createBatchHandler(options: BatchHandlerOptions): BatchHandler {
  const byName = new Map<string, SinkTopicId>(
    (Object.entries(options.topics) as [SinkTopicId, string][]).map(([id, name]) => [name, id]),
  );
  const prepare = async (id: SinkTopicId, record: ConsumedRecord): Promise<Prepared> => {
    if (record.key === null) {
      return {
        failure: { code: 'INPUT_INVALID', message: 'record without a key', retryable: false, attempts: 1 },
      };
    }
    let value: TopicValues[SinkTopicId] | null;
    try {
      value = await options.decode(id, record.value);
    } catch (error) {
      const verdict = judge(error);
      if (verdict.disposition !== 'dead-letter') throw error;
      const message = error instanceof Error ? error.message : String(error);
      return { failure: { code: verdict.code, message, retryable: false, attempts: 1 } };
    }
    const input = {
      topic: id,
      value,
      key: record.key,
      sourcePartition: record.partition,
      sourceOffset: sourceOffsetOf(record.offset),
    } as SinkInput;
    return { plan: planRecord(input) };
  };

  return async (batch) => {
    const id = byName.get(batch.topic);
    if (id === undefined) throw new TypeError(`sink: no projection for topic ${batch.topic}`);
    const logger = options.logger.child({ topic: batch.topic, partition: batch.partition });
    const prepared = await Promise.all(batch.records.map((record) => prepare(id, record)));
    const plans: RecordPlan[] = [];
    const planned: number[] = [];
    prepared.forEach((entry, index) => {
      if ('plan' in entry) {
        plans.push(entry.plan);
        planned.push(index);
      }
    });
    const results = await options.sink.submit(plans);
    const failures = new Map<number, RecordFailure>();
    prepared.forEach((entry, index) => {
      if ('failure' in entry) failures.set(index, entry.failure);
    });
    results.forEach((failure, index) => {
      const recordIndex = planned[index];
      if (failure !== null && recordIndex !== undefined) failures.set(recordIndex, failure);
    });
    const nowMs = options.clock.now();
    // In offset order, as the records were consumed.
    const letters = batch.records.flatMap((record, index) => {
      const failure = failures.get(index);
      if (failure === undefined) return [];
      logger.warn(
        {
          key: record.key,
          offset: record.offset,
          code: failure.code,
          attempts: failure.attempts,
          reason: failure.message,
        },
        'record dead-lettered',
      );
      return [toDeadLetter(record, failure, options.service, nowMs)];
    });
    await options.deadLetters.publish(letters);
    logger.debug(
      {
        records: batch.records.length,
        written: batch.records.length - letters.length,
        deadLettered: letters.length,
      },
      'batch acknowledged',
    );
  };
}

/** sinkTopicIds lists the topics the sink consumes. */
export const sinkTopicIds: readonly (SinkTopicId & TopicId)[] = ['operations', 'observed', 'drift'];
