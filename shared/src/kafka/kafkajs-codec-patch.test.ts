import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * kafkajs 2.2.4 spends most of its per-record CPU on garbage and BigInt-backed Long arithmetic:
 * a temporary array and Buffer per varint, a zero-filled 512-byte buffer per record, an Encoder
 * per header, a partition's array copied for every message of a send, and offsets and
 * timestamps parsed from decimal strings into Longs for every consumed record (twice in the
 * record decoder, once more in the consumer's batch). `patches/kafkajs+2.2.4.patch` removes
 * those; each test below checks the bytes or values are unchanged and fails without its fix.
 */
interface EncoderInstance {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
  writeVarInt(value: number): EncoderInstance;
  writeUVarInt(value: number): EncoderInstance;
  writeVarLong(value: number | bigint): EncoderInstance;
}
interface EncoderClass {
  new (initialSize?: number): EncoderInstance;
  sizeOfVarLong(value: number): number;
}
interface LongInstance {
  toString(): string;
}
interface LongClass {
  fromString(value: string): LongInstance;
  fromValue(value: unknown): LongInstance;
  prototype: { add(addend: unknown): LongInstance };
}
interface DecoderInstance {
  offset: number;
  readVarLong(): LongInstance;
  readVarIntBytes(): Buffer | null;
  readVarIntArray(reader: unknown): unknown[];
}
type DecoderClass = (new (buffer: Buffer) => DecoderInstance) & { prototype: DecoderInstance };
interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer | (string | Buffer)[]>;
}
interface DecodedRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[]>;
}
interface Message {
  key: string;
  partition: number;
}

const require = createRequire(import.meta.url);
const kafkajs = (path: string): unknown => require(`kafkajs/src/${path}`);
const Encoder = kafkajs('protocol/encoder.js') as EncoderClass;
const Decoder = kafkajs('protocol/decoder.js') as DecoderClass;
const Long = kafkajs('utils/long.js') as LongClass;
const Record = kafkajs('protocol/recordBatch/record/v0/index.js') as (input: RecordInput) => EncoderInstance;
const { RecordBatch } = kafkajs('protocol/recordBatch/v0/index.js') as {
  RecordBatch: (input: Record<string, unknown>) => Promise<EncoderInstance>;
};
const produceRequest = kafkajs('protocol/requests/produce/v3/request.js') as (input: {
  acks: number;
  timeout: number;
  topicData: {
    topic: string;
    partitions: { partition: number; firstSequence: number; messages: RecordInput[] }[];
  }[];
}) => { encode(): Promise<EncoderInstance> };
const frameRequest = kafkajs('protocol/request.js') as (input: {
  correlationId: number;
  clientId: string;
  request: { encode(): Promise<EncoderInstance> };
}) => Promise<EncoderInstance>;
const decodeRecordBatch = kafkajs('protocol/recordBatch/v0/decoder.js') as (
  decoder: DecoderInstance,
) => Promise<{ records: DecodedRecord[] }>;
const Batch = kafkajs('consumer/batch.js') as new (
  topic: string,
  fetchedOffset: string,
  data: { partition: number; highWatermark: string; messages: DecodedRecord[] },
) => { messages: DecodedRecord[] };
const groupMessagesPerPartition = kafkajs('producer/groupMessagesPerPartition.js') as (input: {
  topic: string;
  partitionMetadata: unknown[];
  messages: Message[];
  partitioner: (args: { message: Message }) => number;
}) => Record<string, Message[]>;

/** encodedBatch is a record batch of `count` records as a broker returns it in a fetch. */
async function encodedBatch(count: number, firstOffset: string, firstTimestamp: number): Promise<Buffer> {
  const records = Array.from({ length: count }, (_, i) =>
    Record({ offsetDelta: i, timestampDelta: i % 3, key: `key-${i}`, value: Buffer.from(`value-${i}`) }),
  );
  const batch = await RecordBatch({
    records,
    firstOffset,
    firstTimestamp,
    maxTimestamp: firstTimestamp + 2,
    lastOffsetDelta: count - 1,
  });
  return batch.buffer;
}

describe('kafkajs record codec (patched)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes varints and small varlongs in place, with the zigzag bytes Kafka expects', () => {
    const from = vi.spyOn(Buffer, 'from');
    const fromValue = vi.spyOn(Long, 'fromValue');
    const encoder = new Encoder()
      .writeUVarInt(300)
      .writeVarInt(-1)
      .writeVarLong(-65)
      .writeVarLong(2 ** 30);
    expect(from).not.toHaveBeenCalled();
    expect(fromValue).not.toHaveBeenCalled();
    // 300 → ac 02; zigzag(-1) = 1; zigzag(-65) = 129 → 81 01; zigzag(2^30) = 2^31 → 80 80 80 80 08.
    expect([...encoder.buffer]).toEqual([0xac, 0x02, 0x01, 0x81, 0x01, 0x80, 0x80, 0x80, 0x80, 0x08]);
    expect(Encoder.sizeOfVarLong(2 ** 30)).toBe(5);
    from.mockRestore();
    // Beyond the int32 range the Long path still writes the same encoding: zigzag(2^40) = 2^41.
    expect([...new Encoder().writeVarLong(2 ** 40).buffer]).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x40]);
  });

  it('allocates encoder buffers without zero-filling them', () => {
    const alloc = vi.spyOn(Buffer, 'alloc');
    const encoder = new Encoder(8).writeUVarInt(1).writeUVarInt(2 ** 31);
    for (let i = 0; i < 64; i++) encoder.writeVarInt(i);
    expect(alloc).not.toHaveBeenCalled();
    expect(encoder.buffer.length).toBe(1 + 5 + 64);
  });

  it('encodes a record and its headers into one buffer sized for the record', async () => {
    const record = Record({
      offsetDelta: 2,
      timestampDelta: 7,
      key: 'db/key',
      value: Buffer.from('value'),
      headers: { 'correlation-id': 'abc', repeated: ['x', Buffer.from('y')] },
    });
    // Without the patch every record started as a zero-filled 512-byte buffer.
    expect(record.buf.length).toBeLessThan(128);
    const batch = await RecordBatch({ records: [record], firstOffset: '10', lastOffsetDelta: 2 });
    const [decoded] = (await decodeRecordBatch(new Decoder(batch.buffer))).records;
    expect(decoded?.offset).toBe('12');
    expect(decoded?.key?.toString()).toBe('db/key');
    expect(decoded?.value?.toString()).toBe('value');
    expect(decoded?.headers['correlation-id']?.toString()).toBe('abc');
    expect((decoded?.headers['repeated'] as Buffer[]).map(String)).toEqual(['x', 'y']);
  });

  it('sizes the encoders of a produce request for their content instead of growing them', async () => {
    const messages = Array.from({ length: 1_000 }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(400, i) }));
    const alloc = vi.spyOn(Buffer, 'alloc');
    const allocUnsafe = vi.spyOn(Buffer, 'allocUnsafe');
    const request = await frameRequest({
      correlationId: 1,
      clientId: 'test',
      request: produceRequest({
        acks: -1,
        timeout: 1_000,
        topicData: [{ topic: 't', partitions: [{ partition: 0, firstSequence: 0, messages }] }],
      }),
    });
    // One buffer per nesting level (records, batch, partition, topic, request, frame): without the
    // patch each level grew from 512 bytes by doubling, a dozen reallocations and copies apiece.
    const large = [...alloc.mock.calls, ...allocUnsafe.mock.calls].filter(([size]) => size >= 64 * 1024);
    expect(large.length).toBeLessThanOrEqual(8);
    vi.restoreAllMocks();
    expect(request.buffer.length).toBeGreaterThan(1_000 * 400);
  });

  it('groups the messages of a send per partition without copying an array per message', () => {
    const messages = Array.from({ length: 1_000 }, (_, i) => ({ key: `k${i}`, partition: i % 2 }));
    const assign = vi.spyOn(Object, 'assign');
    const grouped = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata: [{}, {}],
      messages,
      partitioner: ({ message }) => message.partition,
    });
    // The unpatched reduce rebuilt the result per message (Object.assign with a spread copy of
    // the partition's array): quadratic in the messages per partition of one send.
    expect(assign).not.toHaveBeenCalled();
    assign.mockRestore();
    expect(grouped['0']?.map((m) => m.key)).toEqual(
      messages.filter((m) => m.partition === 0).map((m) => m.key),
    );
    expect(grouped['1']).toHaveLength(500);
  });

  it('decodes offsets and timestamps without parsing a Long per record', async () => {
    const timestamp = 1_764_000_000_000;
    const buffer = await encodedBatch(200, '5000', timestamp);
    const fromString = vi.spyOn(Long, 'fromString');
    const add = vi.spyOn(Long.prototype, 'add');
    const readBytes = vi.spyOn(Decoder.prototype, 'readVarIntBytes');
    const readArray = vi.spyOn(Decoder.prototype, 'readVarIntArray');
    const { records } = await decodeRecordBatch(new Decoder(buffer));
    // In place: a key and a value per record, no slice of the record itself; headers in a loop.
    expect(readBytes).toHaveBeenCalledTimes(2 * 200);
    expect(readArray).not.toHaveBeenCalled();
    const batch = new Batch('t', '5100', { partition: 0, highWatermark: '5200', messages: records });
    // Once per batch (the consumer's batch parses its fetched offset), never per record.
    expect(fromString.mock.calls.length).toBeLessThanOrEqual(1);
    expect(add).not.toHaveBeenCalled();
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 200 }, (_, i) => String(5000 + i)));
    expect(records[4]?.timestamp).toBe(String(timestamp + 1));
    // The consumer's batch drops the records below the fetched offset.
    expect(batch.messages.map((m) => m.offset)).toEqual(
      Array.from({ length: 100 }, (_, i) => String(5100 + i)),
    );
  });

  it('still adds exactly in Long arithmetic beyond 2^53', async () => {
    const buffer = await encodedBatch(3, '9223372036854775800', 1_764_000_000_000);
    const { records } = await decodeRecordBatch(new Decoder(buffer));
    expect(records.map((r) => r.offset)).toEqual([
      '9223372036854775800',
      '9223372036854775801',
      '9223372036854775802',
    ]);
    const batch = new Batch('t', '9223372036854775801', {
      partition: 0,
      highWatermark: '9223372036854775803',
      messages: records,
    });
    expect(batch.messages.map((m) => m.offset)).toEqual(['9223372036854775801', '9223372036854775802']);
  });

  it('reads a short varlong without Long arithmetic per byte, a long one exactly', () => {
    const add = vi.spyOn(Long.prototype, 'add');
    const short = new Decoder(Buffer.from([0x81, 0x01]));
    expect(short.readVarLong().toString()).toBe('-65');
    expect(short.offset).toBe(2);
    expect(add).not.toHaveBeenCalled();
    add.mockRestore();
    const long = new Decoder(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x40]));
    expect(long.readVarLong().toString()).toBe(String(2 ** 40));
    expect(long.offset).toBe(6);
  });
});
