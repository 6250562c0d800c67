import { DriftlineError } from '@driftline/shared/errors';

/** MAGIC_BYTE is the first byte of every Confluent-framed value (format version 0). */
export const MAGIC_BYTE = 0;
/** FRAME_HEADER_LENGTH is the magic byte plus the 4-byte big-endian schema id. */
export const FRAME_HEADER_LENGTH = 5;

/** ConfluentFrame is a framed value split into its schema id and Avro payload. */
export interface ConfluentFrame {
  readonly schemaId: number;
  readonly payload: Buffer;
}

function writeFrameHeader(buffer: Buffer, schemaId: number): void {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) {
    throw new RangeError(`encodeFrame: schema id out of range: ${schemaId}`);
  }
  buffer.writeUInt8(MAGIC_BYTE, 0);
  buffer.writeInt32BE(schemaId, 1);
}

/**
 * encodeFrame prefixes an Avro payload with the Confluent wire header: magic byte 0 and the
 * schema id as a 4-byte big-endian signed int, exactly as Java's KafkaAvroSerializer writes it.
 */
export function encodeFrame(schemaId: number, payload: Buffer): Buffer {
  // One allocation, one copy: every produced record is framed, so a separate header buffer and
  // Buffer.concat showed up in the reconciler's profile. allocUnsafe is safe: every byte is written.
  const framed = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + payload.length);
  writeFrameHeader(framed, schemaId);
  payload.copy(framed, FRAME_HEADER_LENGTH);
  return framed;
}

/**
 * PayloadType writes a value into `buffer` from `offset` and returns where it ended, or a
 * negative number (minus the bytes missing) when `buffer` is too short: avsc's `Type#encode`.
 */
export interface PayloadType {
  encode(value: unknown, buffer: Buffer, offset: number): number;
}

// Large enough for any driftline value; a larger one grows the scratch buffer once.
const INITIAL_SCRATCH_BYTES = 16 * 1024;
// A payload that still does not fit after this many larger buffers means `encode` misreports.
const MAX_GROWTHS = 3;

/**
 * FrameEncoder frames values as `encodeFrame(schemaId, type.toBuffer(value))` does, with one
 * allocation and one copy per value instead of two of each: the payload is written straight
 * into a reused scratch buffer behind the header's place, then the frame is copied out. One per
 * serde; not re-entrant (encoding is synchronous).
 */
export class FrameEncoder {
  #scratch = Buffer.allocUnsafe(INITIAL_SCRATCH_BYTES);

  encode(schemaId: number, type: PayloadType, value: unknown): Buffer {
    for (let growths = 0; growths <= MAX_GROWTHS; growths++) {
      const end = type.encode(value, this.#scratch, FRAME_HEADER_LENGTH);
      if (end >= 0) {
        const framed = Buffer.allocUnsafe(end);
        writeFrameHeader(framed, schemaId);
        this.#scratch.copy(framed, FRAME_HEADER_LENGTH, FRAME_HEADER_LENGTH, end);
        return framed;
      }
      this.#scratch = Buffer.allocUnsafe(2 * (this.#scratch.length - end));
    }
    throw new RangeError(`FrameEncoder: the payload did not fit after ${MAX_GROWTHS} larger buffers`);
  }
}

/**
 * decodeFrame splits a Confluent-framed value. A buffer shorter than the header or with another
 * magic byte is not a driftline value: SERDE_FAILED, not retryable (dead-letter it).
 */
export function decodeFrame(buffer: Buffer): ConfluentFrame {
  if (buffer.length < FRAME_HEADER_LENGTH) {
    throw new DriftlineError(
      'SERDE_FAILED',
      `value of ${buffer.length} bytes is too short for a Confluent frame`,
    );
  }
  const magic = buffer.readUInt8(0);
  if (magic !== MAGIC_BYTE) {
    throw new DriftlineError(
      'SERDE_FAILED',
      `value starts with magic byte ${magic}, expected ${MAGIC_BYTE}`,
      {
        details: { magic },
      },
    );
  }
  return { schemaId: buffer.readInt32BE(1), payload: buffer.subarray(FRAME_HEADER_LENGTH) };
}
