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

/**
 * encodeFrame prefixes an Avro payload with the Confluent wire header: magic byte 0 and the
 * schema id as a 4-byte big-endian signed int, exactly as Java's KafkaAvroSerializer writes it.
 */
export function encodeFrame(schemaId: number, payload: Buffer): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) {
    throw new RangeError(`encodeFrame: schema id out of range: ${schemaId}`);
  }
  // One allocation, one copy: every produced record is framed, so a separate header buffer and
  // Buffer.concat showed up in the reconciler's profile. allocUnsafe is safe: every byte is written.
  const framed = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + payload.length);
  framed.writeUInt8(MAGIC_BYTE, 0);
  framed.writeInt32BE(schemaId, 1);
  payload.copy(framed, FRAME_HEADER_LENGTH);
  return framed;
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
