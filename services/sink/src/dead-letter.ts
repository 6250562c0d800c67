import type { DeadLetter } from '@driftline/schemas';
import type { ConsumedRecord, KafkaProducerPort } from '@driftline/shared/kafka';
import { noopMetrics, type MetricsPort } from '@driftline/shared/metrics';
import type { RecordFailure } from './chunk-writer.ts';

/**
 * toDeadLetter is the DeadLetter record for a consumed record the sink gave up on: the original
 * position and raw bytes (key and value exactly as consumed), the error code and message, whether
 * the error was retryable (the bound ran out) and how many attempts were made.
 */
export function toDeadLetter(
  record: ConsumedRecord,
  failure: RecordFailure,
  service: string,
  nowMs: number,
): DeadLetter {
  return {
    originalTopic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key === null ? null : Buffer.from(record.key, 'utf8'),
    value: record.value,
    errorCode: failure.code,
    errorMessage: failure.message,
    retryable: failure.retryable,
    attempts: failure.attempts,
    service,
    failedAtMs: nowMs,
  };
}

/** DeadLetterPort publishes dead letters; resolving means Kafka acknowledged every one. */
export interface DeadLetterPort {
  publish(letters: readonly DeadLetter[]): Promise<void>;
}

/**
 * createDeadLetterPublisher sends dead letters to `topic` with the idempotent producer, keyed by
 * the original key, Avro-encoded by `encode`, and counts each (`deadletter.sent`). A rejected
 * send rejects: the batch is then not committed and is read again (writes are idempotent).
 */
export function createDeadLetterPublisher(options: {
  readonly producer: KafkaProducerPort;
  readonly encode: (letter: DeadLetter) => Promise<Buffer | null>;
  readonly topic: string;
  readonly metrics?: MetricsPort;
}): DeadLetterPort {
  const metrics = options.metrics ?? noopMetrics;
  return {
    async publish(letters) {
      if (letters.length === 0) return;
      const records = await Promise.all(
        letters.map(async (letter) => ({
          topic: options.topic,
          key: letter.key === null ? null : letter.key.toString('utf8'),
          value: await options.encode(letter),
        })),
      );
      await options.producer.send(records);
      for (const letter of letters) {
        metrics.record({ type: 'deadletter.sent', topic: letter.originalTopic, code: letter.errorCode });
      }
    },
  };
}
