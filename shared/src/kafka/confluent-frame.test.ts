import { describe, expect, it } from 'vitest';
import { DriftlineError } from '@driftline/shared/errors';
import avro from 'avsc';
import { decodeFrame, encodeFrame, FrameEncoder } from './confluent-frame.ts';

describe('Confluent framing', () => {
  it('writes magic byte 0 then the schema id big-endian, then the payload', () => {
    const framed = encodeFrame(0x01020304, Buffer.from([0xaa, 0xbb]));
    expect([...framed]).toEqual([0, 1, 2, 3, 4, 0xaa, 0xbb]);
    expect(decodeFrame(framed)).toEqual({ schemaId: 0x01020304, payload: Buffer.from([0xaa, 0xbb]) });
  });

  it.each([
    ['a wrong magic byte', Buffer.from([1, 0, 0, 0, 1, 2])],
    ['a buffer shorter than the header', Buffer.from([0, 0, 0])],
  ])('rejects %s as SERDE_FAILED, not retryable', (_name, buffer) => {
    let caught: unknown;
    try {
      decodeFrame(buffer);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DriftlineError);
    expect((caught as DriftlineError).code).toBe('SERDE_FAILED');
    expect((caught as DriftlineError).retryable).toBe(false);
  });

  it('rejects a schema id out of the int32 range', () => {
    expect(() => encodeFrame(2 ** 31, Buffer.alloc(0))).toThrow(RangeError);
  });

  it('FrameEncoder frames a value as encodeFrame over toBuffer does, growing its scratch buffer for a large one', () => {
    const type = avro.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 's', type: 'string' }] });
    const frames = new FrameEncoder();
    for (const s of ['short', 'x'.repeat(100_000), 'again short']) {
      expect(frames.encode(7, type, { s })).toEqual(encodeFrame(7, type.toBuffer({ s })));
    }
    expect(() => frames.encode(7, type, { s: 42 })).toThrow();
    expect(() => frames.encode(2 ** 31, type, { s: '' })).toThrow(RangeError);
  });
});
