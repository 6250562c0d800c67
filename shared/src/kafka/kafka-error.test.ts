import { describe, expect, it } from 'vitest';
import { classify, DriftlineError } from '@driftline/shared/errors';
import { isTransientKafkaError, toKafkaError } from './kafka-error.ts';

/** Shaped like kafkajs errors: a `retriable` flag and an optional cause. */
function kafkaJsError(name: string, retriable: boolean, cause?: Error): Error {
  return Object.assign(new Error(name, cause === undefined ? undefined : { cause }), { name, retriable });
}

describe('toKafkaError', () => {
  it('maps a retriable kafkajs error to retryable KAFKA_UNAVAILABLE', () => {
    const error = toKafkaError(kafkaJsError('KafkaJSConnectionError', true), 'producing');
    expect(error).toMatchObject({ code: 'KAFKA_UNAVAILABLE', retryable: true });
    expect(error.message).toContain('producing');
    expect(classify(error)).toBe('retry');
  });

  it('sees through retries-exceeded to the transient condition underneath', () => {
    const exhausted = kafkaJsError(
      'KafkaJSNumberOfRetriesExceeded',
      false,
      kafkaJsError('KafkaJSProtocolError', true),
    );
    expect(isTransientKafkaError(exhausted)).toBe(true);
    expect(toKafkaError(exhausted, 'x')).toMatchObject({ code: 'KAFKA_UNAVAILABLE', retryable: true });
  });

  it('maps a non-retriable kafkajs error to KAFKA_FATAL', () => {
    const error = toKafkaError(kafkaJsError('KafkaJSNonRetriableError', false), 'x');
    expect(error).toMatchObject({ code: 'KAFKA_FATAL', retryable: false });
    expect(classify(error)).toBe('crash');
  });

  it('keeps DriftlineErrors and programmer errors as they are judged', () => {
    const own = new DriftlineError('SERDE_FAILED', 'bad');
    expect(toKafkaError(own, 'x')).toBe(own);
    expect(toKafkaError(new TypeError('bug'), 'x')).toMatchObject({ code: 'INTERNAL', retryable: false });
  });
});
