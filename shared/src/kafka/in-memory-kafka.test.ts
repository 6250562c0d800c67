import { describe, expect, it } from 'vitest';
import { DriftlineError } from '@driftline/shared/errors';
import { createInMemoryKafka } from './in-memory-kafka.ts';
import { partitionForKey } from './partitioner.ts';
import type { ConsumedRecord } from './ports.ts';

const spec = { name: 't', partitions: 4, replicationFactor: 1, compacted: true };

describe('createInMemoryKafka', () => {
  it('places keys with the murmur2 partitioner and keeps tombstones', async () => {
    const kafka = createInMemoryKafka({ now: () => 42 });
    await kafka.admin.ensureTopics([spec]);
    const [position] = await kafka.producer.send([{ topic: 't', key: 'foobar', value: null }]);
    expect(position).toEqual({ topic: 't', partition: partitionForKey('foobar', 4), baseOffset: '0' });
    expect(kafka.records('t')).toEqual([
      {
        topic: 't',
        partition: partitionForKey('foobar', 4),
        offset: '0',
        key: 'foobar',
        value: null,
        headers: {},
        timestampMs: 42,
      },
    ]);
    expect(await kafka.admin.describeTopics(['t'])).toEqual([
      { name: 't', partitions: 4, cleanupPolicy: 'compact' },
    ]);
  });

  it('rejects unknown topics and reports partition drift like the real admin', async () => {
    const kafka = createInMemoryKafka();
    await expect(kafka.producer.send([{ topic: 'nope', key: 'k', value: null }])).rejects.toBeInstanceOf(
      DriftlineError,
    );
    await kafka.admin.ensureTopics([spec]);
    expect(await kafka.admin.ensureTopics([spec])).toEqual({ created: [], existing: ['t'] });
    await expect(kafka.admin.ensureTopics([{ ...spec, partitions: 8 }])).rejects.toMatchObject({
      code: 'KAFKA_FATAL',
    });
  });

  it('delivers to a group, commits after the handler, and resumes from the commit', async () => {
    const kafka = createInMemoryKafka();
    await kafka.admin.ensureTopics([{ ...spec, partitions: 1 }]);
    await kafka.producer.send(
      [1, 2, 3].map((n) => ({ topic: 't', key: `k${n}`, value: Buffer.from(String(n)) })),
    );
    const seen: ConsumedRecord[] = [];
    const first = kafka.consumer({
      groupId: 'g',
      topics: ['t'],
      maxBatchSize: 2,
      handler: async (b) => void seen.push(...b.records),
    });
    await first.start();
    await kafka.settle();
    expect(seen.map((r) => r.offset)).toEqual(['0', '1', '2']);
    expect(kafka.committed('g', 't', 0)).toBe('3');
    await first.stop();

    await kafka.producer.send([{ topic: 't', key: 'k4', value: null }]);
    const second = kafka.consumer({
      groupId: 'g',
      topics: ['t'],
      handler: async (b) => void seen.push(...b.records),
    });
    await second.start();
    await kafka.settle();
    expect(seen.map((r) => r.offset)).toEqual(['0', '1', '2', '3']);
    await second.stop();
  });

  it('commits nothing for a failed batch and delivers it again on the next wake-up', async () => {
    const kafka = createInMemoryKafka();
    await kafka.admin.ensureTopics([{ ...spec, partitions: 1 }]);
    let fail = true;
    const seen: string[] = [];
    const member = kafka.consumer({
      groupId: 'g',
      topics: ['t'],
      handler: async (b) => {
        seen.push(...b.records.map((r) => r.offset));
        if (fail) throw new DriftlineError('MONGO_UNAVAILABLE', 'down');
      },
    });
    await member.start();
    await kafka.producer.send([{ topic: 't', key: 'a', value: null }]);
    await kafka.settle();
    expect(kafka.committed('g', 't', 0)).toBeNull();
    expect(kafka.handlerErrors()).toHaveLength(1);
    fail = false;
    await kafka.producer.send([{ topic: 't', key: 'b', value: null }]);
    await kafka.settle();
    expect(seen).toEqual(['0', '0', '1']);
    expect(kafka.committed('g', 't', 0)).toBe('2');
    await member.stop();
  });

  it('can fail a send, and reports lag inputs through the admin port', async () => {
    const kafka = createInMemoryKafka({ now: () => 7 });
    await kafka.admin.ensureTopics([{ ...spec, partitions: 1 }]);
    kafka.failNextSend(new DriftlineError('KAFKA_UNAVAILABLE', 'broker down'));
    await expect(kafka.producer.send([{ topic: 't', key: 'a', value: null }])).rejects.toMatchObject({
      code: 'KAFKA_UNAVAILABLE',
    });
    await kafka.producer.send([{ topic: 't', key: 'a', value: null }]);
    expect(await kafka.admin.fetchOffsets('g', ['t'])).toEqual([
      { topic: 't', partition: 0, committed: null, low: '0', high: '1' },
    ]);
    expect(await kafka.admin.fetchRecordTimestamps([{ topic: 't', partition: 0, offset: '0' }])).toEqual([
      { topic: 't', partition: 0, offset: '0', timestampMs: 7 },
    ]);
  });
});
