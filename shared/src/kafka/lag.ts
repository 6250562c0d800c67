/**
 * PartitionLagInput is what lag is computed from for one partition of one consumer group:
 * `committed` (next offset the group reads, null if it never committed), the log start `low`,
 * the high watermark `high`, and the timestamp of the first record at or after the committed
 * position (null when there is none).
 */
export interface PartitionLagInput {
  readonly topic: string;
  readonly partition: number;
  readonly committed: string | null;
  readonly low: string;
  readonly high: string;
  readonly nextRecordTimestampMs: number | null;
}

/**
 * PartitionLag is a group's lag on one partition: `messages` not yet consumed, and `seconds` —
 * how long the oldest unconsumed record has been waiting (0 when caught up).
 */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly messages: number;
  readonly seconds: number;
}

function toBigInt(offset: string, name: string): bigint {
  if (!/^-?\d+$/.test(offset))
    throw new RangeError(`lag: ${name} offset is not an integer: ${JSON.stringify(offset)}`);
  return BigInt(offset);
}

/**
 * computeLag returns the lag of one partition. Rules: a group that never committed (or whose
 * committed offset fell below the log start after retention/compaction) will read from `low`, so
 * everything from `low` is lag; a committed offset at or past `high` is no lag. Seconds come from
 * the next unconsumed record's timestamp against `nowMs`, never negative (producer clocks drift),
 * and 0 when nothing is waiting. Offsets are int64 strings; messages are clamped to
 * Number.MAX_SAFE_INTEGER.
 */
export function computeLag(input: PartitionLagInput, nowMs: number): PartitionLag {
  const low = toBigInt(input.low, 'low');
  const high = toBigInt(input.high, 'high');
  const committedRaw = input.committed === null ? null : toBigInt(input.committed, 'committed');
  // kafkajs reports "no committed offset" as -1.
  const start = committedRaw === null || committedRaw < low ? low : committedRaw;
  const waiting = high > start ? high - start : 0n;
  const messages = waiting > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(waiting);
  const seconds =
    messages === 0 || input.nextRecordTimestampMs === null
      ? 0
      : Math.max(0, (nowMs - input.nextRecordTimestampMs) / 1000);
  return { topic: input.topic, partition: input.partition, messages, seconds };
}

/**
 * lagStartOffset is the offset whose record timestamp `computeLag` needs: where the group will
 * read next (the committed offset, or the log start when it has none or it fell below it), or
 * null when the group is caught up and no timestamp is needed.
 */
export function lagStartOffset(input: Omit<PartitionLagInput, 'nextRecordTimestampMs'>): string | null {
  const lag = computeLag({ ...input, nextRecordTimestampMs: null }, 0);
  if (lag.messages === 0) return null;
  const low = toBigInt(input.low, 'low');
  const committed = input.committed === null ? null : toBigInt(input.committed, 'committed');
  return (committed === null || committed < low ? low : committed).toString();
}
