import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { DeadLetter, TopicValues } from '@driftline/schemas';
import { DriftlineError } from '@driftline/shared/errors';
import type { BatchContext, ConsumedBatch } from '@driftline/shared/kafka';
import { createBatchHandler, type SinkTopicId } from './batch-handler.ts';
import type { RecordFailure } from './chunk-writer.ts';
import type { Sink } from './sink.ts';
import { operationRecord } from './testing/records.ts';
import type { RecordPlan } from './write-plan.ts';

const context = {} as BatchContext;

function batch(
  values: (Buffer | null)[],
  keys: (string | null)[] = values.map((_, i) => `p/n/MongoDB/db-${i}`),
): ConsumedBatch {
  return {
    topic: 'ops-topic',
    partition: 1,
    highWatermark: String(values.length),
    records: values.map((value, i) => ({
      topic: 'ops-topic',
      partition: 1,
      offset: String(10 + i),
      key: keys[i] ?? null,
      value,
      headers: {},
      timestampMs: 0,
    })),
  };
}

function harness(results: (plans: readonly RecordPlan[]) => (RecordFailure | null)[], decodeError?: Error) {
  const submitted: RecordPlan[][] = [];
  const letters: DeadLetter[] = [];
  const sink: Sink = {
    submit: async (plans) => {
      submitted.push([...plans]);
      return results(plans);
    },
    progress: () => ({ chunks: 0, recordsWritten: 0, recordsFailed: 0 }),
    stop: () => undefined,
  };
  const handler = createBatchHandler({
    topics: { operations: 'ops-topic', observed: 'obs-topic', drift: 'drift-topic' },
    decode: async <K extends SinkTopicId>(_id: K, value: Buffer | null) => {
      if (value === null) return null;
      if (value.toString() === 'bad')
        throw decodeError ?? new DriftlineError('SERDE_FAILED', 'cannot decode');
      return operationRecord({ operationId: value.toString() }) as TopicValues[K];
    },
    sink,
    deadLetters: { publish: async (list) => void letters.push(...list) },
    service: 'sink',
    clock: { now: () => 123 },
    logger: pino({ level: 'silent' }),
  });
  return { handler, submitted, letters };
}

describe('createBatchHandler', () => {
  it('plans every record and resolves once the sink acknowledged them all', async () => {
    const { handler, submitted, letters } = harness((plans) => plans.map(() => null));
    await handler(batch([Buffer.from('op-1'), Buffer.from('op-2')]), context);
    expect(submitted[0]?.map((plan) => plan.writes[0]?.id)).toEqual(['op-1', 'op-2']);
    expect(letters).toEqual([]);
  });

  it('dead-letters undecodable and keyless records with their raw bytes, and a record the sink failed', async () => {
    const failure: RecordFailure = {
      code: 'MONGO_WRITE_REJECTED',
      message: 'invalid',
      retryable: false,
      attempts: 1,
    };
    const { handler, submitted, letters } = harness((plans) =>
      plans.map((_, i) => (i === 1 ? failure : null)),
    );
    await handler(
      batch(
        [Buffer.from('bad'), Buffer.from('op-1'), Buffer.from('op-2'), Buffer.from('op-3')],
        ['k0', 'k1', 'k2', null],
      ),
      context,
    );
    expect(submitted[0]).toHaveLength(2);
    expect(
      letters.map((l) => [l.offset, l.errorCode, l.key?.toString() ?? null, l.value?.toString()]),
    ).toEqual([
      ['10', 'SERDE_FAILED', 'k0', 'bad'],
      ['12', 'MONGO_WRITE_REJECTED', 'k2', 'op-2'],
      ['13', 'INPUT_INVALID', null, 'op-3'],
    ]);
    expect(letters[0]).toMatchObject({
      originalTopic: 'ops-topic',
      partition: 1,
      service: 'sink',
      failedAtMs: 123,
    });
  });

  it('rejects the batch (nothing committed) when the schema registry cannot be reached', async () => {
    const { handler, letters } = harness(
      (plans) => plans.map(() => null),
      new DriftlineError('NETWORK_UNAVAILABLE', 'registry down'),
    );
    await expect(handler(batch([Buffer.from('bad')]), context)).rejects.toThrow('registry down');
    expect(letters).toEqual([]);
  });

  it('rejects when the sink rejects', async () => {
    const { handler } = harness(() => {
      throw new TypeError('bug');
    });
    await expect(handler(batch([Buffer.from('op-1')]), context)).rejects.toThrow(TypeError);
  });
});
