import { pino } from 'pino';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ChunkWriter, RecordFailure } from './chunk-writer.ts';
import { planRecord } from './projection.ts';
import { createSink } from './sink.ts';
import { observedRecord } from './testing/records.ts';
import type { RecordPlan } from './write-plan.ts';

const plan = (i: number): RecordPlan => {
  const key = `p/n/MongoDB/db-${i}`;
  return planRecord({
    topic: 'observed',
    key,
    sourcePartition: 0,
    sourceOffset: i,
    value: observedRecord({}, key),
  });
};

function fakeWriter(fail: (plan: RecordPlan) => RecordFailure | null = () => null) {
  const chunks: number[] = [];
  const writer: ChunkWriter = {
    unavailable: false,
    async write(plans) {
      chunks.push(plans.length);
      const failures = new Map<number, RecordFailure>();
      plans.forEach((p, i) => {
        const failure = fail(p);
        if (failure !== null) failures.set(i, failure);
      });
      return failures;
    },
  };
  return { writer, chunks };
}

describe('createSink', () => {
  it('chunks records across submissions and answers each record in order', async () => {
    const scheduler = new VirtualTimeScheduler();
    const failure: RecordFailure = {
      code: 'MONGO_WRITE_REJECTED',
      message: 'x',
      retryable: false,
      attempts: 1,
    };
    const { writer, chunks } = fakeWriter((p) => (p.writes[0]?.id === 'p/n/MongoDB/db-3' ? failure : null));
    const sink = createSink({
      writer,
      chunkSize: 3,
      chunkMaxWaitMs: 50,
      maxInFlightChunks: 2,
      scheduler,
      logger: pino({ level: 'silent' }),
    });
    const first = sink.submit([plan(1), plan(2)]);
    const second = sink.submit([plan(3), plan(4)]);
    scheduler.flush();
    expect(await first).toEqual([null, null]);
    expect(await second).toEqual([failure, null]);
    expect(chunks).toEqual([3, 1]);
    expect(sink.progress()).toEqual({ chunks: 2, recordsWritten: 3, recordsFailed: 1 });
  });

  it('answers a record with nothing to write at once, without a chunk', async () => {
    const { writer, chunks } = fakeWriter();
    const sink = createSink({
      writer,
      chunkSize: 3,
      chunkMaxWaitMs: 50,
      maxInFlightChunks: 1,
      logger: pino({ level: 'silent' }),
    });
    expect(await sink.submit([{ writes: [], followUps: [] }])).toEqual([null]);
    expect(chunks).toEqual([]);
  });

  it('rejects the records of a chunk whose write rejects, and refuses work once stopped', async () => {
    const writer: ChunkWriter = {
      unavailable: false,
      write: async () => Promise.reject(new TypeError('bug')),
    };
    const sink = createSink({
      writer,
      chunkSize: 1,
      chunkMaxWaitMs: 0,
      maxInFlightChunks: 1,
      logger: pino({ level: 'silent' }),
    });
    await expect(sink.submit([plan(1)])).rejects.toThrow('bug');
    sink.stop();
    await expect(sink.submit([plan(2)])).rejects.toThrow('sink stopped');
  });
});
