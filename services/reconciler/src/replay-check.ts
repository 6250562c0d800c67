import type { DriftEvent } from '@driftline/schemas';
import {
  FRAME_HEADER_LENGTH,
  type AvroSerde,
  type CompactedReader,
  type ConsumedRecord,
  type PartitionEnd,
} from '@driftline/shared/kafka';
import { decodeInput, type InputSide } from './kafka-codec.ts';
import { HealthTable } from './kafka-health-table.ts';
import { compareDriftSets, driftSetDigest, DriftSetBuilder, type DriftSetComparison } from './output-hash.ts';
import { PartitionReconciler, type TimedInput } from './partition-reconciler.ts';
import type { ReconcilerConfig, StepOutput } from './step.ts';

/** ReplayTopics names the topics a replay reads. */
export interface ReplayTopics {
  readonly desired: string;
  readonly observed: string;
  readonly drift: string;
  readonly providerHealth: string;
}

/** ReplayProgress is what a replay reports while it runs (for a human watching). */
export type ReplayProgress =
  | { readonly phase: 'read-inputs'; readonly records: number; readonly total: number }
  | { readonly phase: 'reconcile'; readonly inputs: number }
  | { readonly phase: 'wait-timers'; readonly pending: number }
  | { readonly phase: 'read-drift'; readonly records: number; readonly total: number };

/** ReplayCheckOptions wire `replayCheck`. */
export interface ReplayCheckOptions {
  readonly topics: ReplayTopics;
  readonly config: ReconcilerConfig;
  readonly serde: Pick<AvroSerde, 'decode'>;
  readonly reader: CompactedReader;
  /** The end offsets (high watermarks) of every partition of `topics`, taken before reading. */
  readonly endOffsets: (topic: string) => Promise<readonly PartitionEnd[]>;
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Longest wait for transitions whose persistence window ends after the inputs (default persistMs + 2 s). */
  readonly timerWaitMs?: number;
}

/** ReplayCheckResult is the outcome of a replay check. */
export interface ReplayCheckResult {
  readonly comparison: DriftSetComparison;
  /** Digest of the drift set the replay computed (key → hash). */
  readonly replayedDigest: string;
  /** Digest of the drift set on the drift topic (latest event per key). */
  readonly currentDigest: string;
  readonly inputRecords: number;
  readonly driftRecords: number;
  /** Decodable input records the replay skipped (dead-lettered when first consumed). */
  readonly skipped: number;
  /** Keys still inside a persistence window or convergence grace when the replay ended. */
  readonly pending: number;
}

/**
 * replayCheck rebuilds the drift set from the start of the compacted inputs and compares it with
 * the drift set on the drift topic. It reads the provider-health table, then the latest desired
 * and observed record per key up to the high watermarks, replays them through a fresh reconciler
 * in record-timestamp order (event time, as a rebuild does), waits out the persistence windows
 * that end after the last input, and folds the outputs into a drift set (`output-hash.ts`). The
 * current drift set is the latest event per key on the drift topic. Keys drifting in neither are
 * in sync in both and not compared. Run it on a quiet pipeline: inputs still being reconciled
 * show up as differences.
 */
export async function replayCheck(options: ReplayCheckOptions): Promise<ReplayCheckResult> {
  const { topics, reader, serde } = options;
  const progress = options.onProgress ?? (() => undefined);

  const health = new HealthTable();
  const healthEnds = await options.endOffsets(topics.providerHealth);
  await reader.scan({ topics: [topics.providerHealth], ends: healthEnds }, async (records) => {
    for (const record of records) {
      if (record.key === null) continue;
      try {
        health.apply(record.key, await serde.decode('providerHealth', record.value));
      } catch {
        // An undecodable health record only refines freshness; the live service skips it too.
      }
    }
  });

  const { records, read } = await readLatestInputs(options, progress);

  // Only each key's last drift event decides its place in the drift set: keep those alone, as
  // the outputs come (holding every output of a large replay cost more in GC than the rest).
  const lastDrift = new Map<string, DriftEvent>();
  const keepDrift = (output: StepOutput) => {
    if (output.type === 'drift') lastDrift.set(output.event.key, output.event);
  };
  const reconciler = new PartitionReconciler({
    partition: -1,
    config: options.config,
    health$: health.changes$(),
    onTimerOutputs: (timed) => {
      for (const output of timed) keepDrift(output);
    },
  });
  progress({ phase: 'reconcile', inputs: records.length });
  await prewarm(records, options);
  let skipped = 0;
  for (let i = 0; i < records.length; i += REPLAY_CHUNK) {
    const chunk: TimedInput[] = [];
    for (let j = i; j < Math.min(records.length, i + REPLAY_CHUNK); j++) {
      const record = records[j];
      if (record === undefined) continue;
      const decoded = await decodeInput(sideOf(record, topics), record, serde);
      if (decoded.ok) chunk.push({ input: decoded.input, timestampMs: record.timestampMs });
      else skipped += 1;
    }
    reconciler.replayInto(chunk, [], keepDrift);
  }
  const waitUntil = Date.now() + (options.timerWaitMs ?? options.config.persistMs + 2_000);
  while (reconciler.pendingSize() > 0 && Date.now() < waitUntil) {
    progress({ phase: 'wait-timers', pending: reconciler.pendingSize() });
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const pending = reconciler.pendingSize();
  reconciler.dispose();
  const replayed = new DriftSetBuilder();
  for (const event of lastDrift.values()) replayed.add(event);

  const driftRanges = await options.endOffsets(topics.drift);
  const driftTotal = driftRanges.reduce((sum, r) => sum + Number(r.end), 0);
  const current = new DriftSetBuilder();
  let driftRecords = 0;
  await reader.scan({ topics: [topics.drift], ends: driftRanges }, async (records) => {
    for (const record of records) {
      const event = await serde.decode('drift', record.value);
      if (event !== null) current.add(event);
    }
    driftRecords += records.length;
    progress({ phase: 'read-drift', records: driftRecords, total: driftTotal });
  });

  return {
    comparison: compareDriftSets(replayed.hashes(), current.hashes()),
    replayedDigest: driftSetDigest(replayed.hashes()),
    currentDigest: driftSetDigest(current.hashes()),
    inputRecords: read,
    driftRecords,
    skipped,
    pending,
  };
}

// Inputs are decoded and replayed a chunk at a time: a decoded input then dies young instead of
// every input of the replay living until all are decoded (their promotion was most of the GC).
const REPLAY_CHUNK = 1_000;

const sideOf = (record: ConsumedRecord, topics: ReplayTopics): InputSide =>
  record.topic === topics.desired ? 'desired' : 'observed';

/**
 * readLatestInputs reads the latest desired and observed record per key up to the high
 * watermarks, in the order the replay applies them: record timestamp (event time), desired
 * before observed at equal timestamps (a platform change precedes what it causes).
 */
async function readLatestInputs(
  options: ReplayCheckOptions,
  progress: (progress: ReplayProgress) => void,
): Promise<{ records: ConsumedRecord[]; read: number }> {
  const { topics, reader } = options;
  const inputRanges = [
    ...(await options.endOffsets(topics.desired)),
    ...(await options.endOffsets(topics.observed)),
  ];
  const inputTotal = inputRanges.reduce((sum, r) => sum + Number(r.end), 0);
  let read = 0;
  const latest = await reader.latest(
    { topics: [...new Set(inputRanges.map((r) => r.topic))], ends: inputRanges },
    (n) => {
      read += n;
      progress({ phase: 'read-inputs', records: read, total: inputTotal });
    },
  );
  const desiredFirst = [
    ...latest.filter((r) => r.topic === topics.desired),
    ...latest.filter((r) => r.topic !== topics.desired),
  ];
  // Array sort is stable: desired stays before observed at equal timestamps.
  return { records: desiredFirst.sort((a, b) => a.timestampMs - b.timestampMs), read };
}

/**
 * prewarm decodes one record per side and writer schema id, so the serde knows every resolver
 * before the replay: no decode in the replay then waits for the registry, and no timer of the
 * core can run between two chunks at wall-clock time.
 */
async function prewarm(records: readonly ConsumedRecord[], options: ReplayCheckOptions): Promise<void> {
  const seen = new Set<number>();
  for (const record of records) {
    const value = record.value;
    if (value === null || value.length < FRAME_HEADER_LENGTH) continue;
    const side = sideOf(record, options.topics);
    // Schema id and side in one number: ids are non-negative int32s.
    const id = value.readInt32BE(1) * 2 + (side === 'desired' ? 1 : 0);
    if (seen.has(id)) continue;
    seen.add(id);
    // A failure here shows again, and is handled, when the replay decodes the record.
    await decodeInput(side, record, options.serde).catch(() => undefined);
  }
}
