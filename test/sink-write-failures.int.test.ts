import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoNetworkError, type AnyBulkWriteOperation } from 'mongodb';
import type { DeadLetter } from '@driftline/schemas';
import type { SinkStorePort, WriteFailure } from '../services/sink/src/store.ts';
import type { SinkDocument } from '../services/sink/src/write-plan.ts';
import type { SinkService } from '../services/sink/src/service.ts';
import { SinkHarness, eventually } from '../services/sink/src/testing/int-harness.ts';
import { operationRecord } from '../services/sink/src/testing/records.ts';
import { stackEndpoints } from './support/stack.ts';

// Failure handling at the adapter boundary, against the real broker and Mongo-compatible server:
// a retryable write error is retried for the failed model only and then succeeds; a permanent one
// (an injected validator) sends that record to the dead-letter topic while the rest is written;
// an undecodable value is dead-lettered; while MongoDB is unreachable readiness is red and
// nothing is dead-lettered; offsets are committed only after MongoDB acknowledged.

const key = (name: string): string => `prov-b/team-2/MongoDB/${name}`;

function idOf(model: AnyBulkWriteOperation<SinkDocument>): unknown {
  if ('updateOne' in model) return (model.updateOne.filter as { _id?: unknown })._id;
  if ('insertOne' in model) return model.insertOne.document._id;
  return undefined;
}

/** FaultyStore injects faults into the real store's bulkWrite, per document id. */
class FaultyStore {
  readonly calls: { collection: string; ids: unknown[] }[] = [];
  /** ids refused with `code` for the next `times` calls that contain them. */
  readonly faults = new Map<string, { code: number; times: number }>();
  unreachable = false;
  gate: Promise<void> | null = null;
  gated = false;

  wrap = (store: SinkStorePort): SinkStorePort => ({
    ...store,
    find: (collection, filter, fields) => store.find(collection, filter, fields),
    bulkWrite: async (collection, models) => {
      this.calls.push({ collection, ids: models.map(idOf) });
      if (this.gate !== null && collection === 'operations') {
        this.gated = true;
        await this.gate;
      }
      if (this.unreachable) {
        throw new MongoNetworkError('connection refused (injected)');
      }
      const refused: WriteFailure[] = [];
      const passed: AnyBulkWriteOperation<SinkDocument>[] = [];
      const indexes: number[] = [];
      models.forEach((model, index) => {
        const fault = this.faults.get(String(idOf(model)));
        if (fault !== undefined && fault.times > 0) {
          fault.times -= 1;
          refused.push({ index, code: fault.code, message: `injected error ${fault.code}` });
        } else {
          passed.push(model);
          indexes.push(index);
        }
      });
      const outcome = await store.bulkWrite(collection, passed);
      const mapped = outcome.writeErrors.map((e) => ({ ...e, index: indexes[e.index] ?? -1 }));
      return { writeErrors: [...refused, ...mapped] };
    },
  });
}

/** readDeadLetters reads the harness's dead-letter topic from the start until `count` letters arrived. */
async function readDeadLetters(harness: SinkHarness, count: number): Promise<DeadLetter[]> {
  const consumer = harness.kafka.consumer({ groupId: `dl-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: harness.topics.deadletter, fromBeginning: true });
  const letters: DeadLetter[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`dead letters seen: ${JSON.stringify(letters)}`)),
        30_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.value === null) return;
          const letter = await harness.decodeDeadLetter(message.value);
          if (letter !== null) letters.push(letter);
          if (letters.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return letters;
}

describe('the sink under write failures', () => {
  const harness = new SinkHarness(stackEndpoints(), 1);
  const faults = new FaultyStore();
  let sink: SinkService;

  beforeAll(async () => {
    await harness.start();
    sink = await harness.startSink({
      wrapStore: faults.wrap,
      env: { SINK_RETRY_MAX_ATTEMPTS_COUNT: '4', SINK_CHUNK_MAX_WAIT_MS: '200' },
    });
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('retries only the failed model of a chunk after a retryable error, then writes it', async () => {
    faults.faults.set('op-conflict', { code: 112, times: 2 }); // WriteConflict, twice
    await harness.produce('operations', [
      { key: key('a'), value: operationRecord({ operationId: 'op-a' }, key('a')) },
      { key: key('b'), value: operationRecord({ operationId: 'op-conflict' }, key('b')) },
      { key: key('c'), value: operationRecord({ operationId: 'op-c' }, key('c')) },
    ]);
    await eventually(async () => {
      const ids = (await harness.db.collection('operations').find({}).toArray()).map((d) => d['_id']).sort();
      expect(ids).toEqual(['op-a', 'op-c', 'op-conflict']);
    });
    const opCalls = faults.calls.filter(
      (c) => c.collection === 'operations' && c.ids.includes('op-conflict'),
    );
    // First call: the whole chunk; then two retries carrying the failed model alone.
    expect(opCalls.length).toBe(3);
    expect(opCalls[0]?.ids).toEqual(expect.arrayContaining(['op-a', 'op-conflict', 'op-c']));
    expect(opCalls.slice(1).map((c) => c.ids)).toEqual([['op-conflict'], ['op-conflict']]);
  });

  it('dead-letters a record MongoDB refuses for good, and an undecodable one, and writes the rest', async () => {
    faults.faults.set('op-invalid', { code: 121, times: 1_000 }); // DocumentValidationFailure
    await harness.produce('operations', [
      { key: key('d'), value: operationRecord({ operationId: 'op-d' }, key('d')) },
      { key: key('e'), value: operationRecord({ operationId: 'op-invalid' }, key('e')) },
      { key: key('f'), value: operationRecord({ operationId: 'op-f' }, key('f')) },
    ]);
    await harness.produceRaw('operations', key('g'), Buffer.from('not avro at all'));
    const letters = await readDeadLetters(harness, 2);
    await eventually(async () => {
      const ids = await harness.db
        .collection('operations')
        .find({ _id: { $in: ['op-d', 'op-f', 'op-invalid'] } as never })
        .toArray();
      expect(ids.map((d) => d['_id']).sort()).toEqual(['op-d', 'op-f']);
    });
    const invalid = letters.find((l) => l.key?.toString('utf8') === key('e'));
    expect(invalid).toMatchObject({
      originalTopic: harness.topics.operations,
      partition: 0,
      errorCode: 'MONGO_WRITE_REJECTED',
      retryable: false,
      attempts: 1,
      service: 'sink',
    });
    expect(invalid?.errorMessage).toContain('121');
    const undecodable = letters.find((l) => l.key?.toString('utf8') === key('g'));
    expect(undecodable).toMatchObject({ errorCode: 'SERDE_FAILED', retryable: false });
    expect(undecodable?.value?.toString('utf8')).toBe('not avro at all');
    expect(letters).toHaveLength(2);
  });

  it('turns readiness red while MongoDB is unreachable, dead-letters nothing, and resumes', async () => {
    faults.unreachable = true;
    await harness.produce('operations', [
      { key: key('h'), value: operationRecord({ operationId: 'op-h' }, key('h')) },
    ]);
    await eventually(async () => {
      expect(sink.health.readiness().components.find((c) => c.name === 'mongo')?.state).toBe('starting');
    });
    expect(sink.health.readiness().ok).toBe(false);
    expect(await harness.db.collection('operations').findOne({ _id: 'op-h' as never })).toBeNull();
    faults.unreachable = false;
    await eventually(async () => {
      expect(await harness.db.collection('operations').findOne({ _id: 'op-h' as never })).not.toBeNull();
      expect(sink.health.readiness().components.find((c) => c.name === 'mongo')?.state).toBe('running');
    });
    expect(sink.health.readiness().ok).toBe(true);
    // The outage dead-lettered nothing: still only the two letters of the test before.
    expect(await readDeadLetters(harness, 2)).toHaveLength(2);
  });

  it('commits an offset only after MongoDB acknowledged the write', async () => {
    let release!: () => void;
    faults.gate = new Promise<void>((resolve) => (release = resolve));
    const [position] = await harness.produce('operations', [
      { key: key('i'), value: operationRecord({ operationId: 'op-i' }, key('i')) },
    ]);
    await eventually(async () => expect(faults.gated).toBe(true));
    const committed = (await harness.committed('operations')).get(0);
    expect(BigInt(committed ?? '0')).toBeLessThanOrEqual(BigInt(position?.baseOffset ?? '0'));
    expect(await harness.db.collection('operations').findOne({ _id: 'op-i' as never })).toBeNull();
    faults.gate = null;
    release();
    await eventually(async () => {
      expect((await harness.committed('operations')).get(0)).toBe(
        String(BigInt(position?.baseOffset ?? '0') + 1n),
      );
    });
    expect(await harness.db.collection('operations').findOne({ _id: 'op-i' as never })).not.toBeNull();
  });
});
