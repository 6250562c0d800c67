/**
 * InputTopic names the reconciler's two co-partitioned input tables.
 */
export type InputTopic = 'desired' | 'observed';

/** INPUT_TOPICS lists the input tables in a fixed order. */
export const INPUT_TOPICS: readonly InputTopic[] = ['desired', 'observed'];

/**
 * PartitionPhase is where an assigned partition stands: `rebuilding` while its records below the
 * group's committed offsets are replayed to rebuild key state (their outputs were already
 * produced and acknowledged before, so they are not emitted again), `live` once every input
 * topic has reached its committed offset or its end.
 */
export type PartitionPhase = 'rebuilding' | 'live';

/** PartitionAssignment is one newly assigned partition and the committed offset of each input topic (`-1` or absent commit = none: "0"). */
export interface PartitionAssignment {
  readonly partition: number;
  /** Committed offsets (Kafka int64 as decimal strings): records below them were already processed. */
  readonly committed: Readonly<Record<InputTopic, string>>;
}

/** PartitionState is the replay position of one assigned partition. */
export interface PartitionState {
  readonly partition: number;
  readonly phase: PartitionPhase;
  /** Offsets from which records are live (emitted), per input topic. */
  readonly rebuildEnd: Readonly<Record<InputTopic, bigint>>;
  /** Next offset expected per input topic: records below it were applied already. */
  readonly nextOffset: Readonly<Record<InputTopic, bigint>>;
  /** Input topics whose rebuild is complete (reached rebuildEnd, or the end of the log). */
  readonly caughtUp: Readonly<Record<InputTopic, boolean>>;
}

/** PartitionTable is the reconciler's assigned partitions, by partition number. Immutable. */
export type PartitionTable = ReadonlyMap<number, PartitionState>;

/**
 * Admission says what to do with one input record:
 * - `rebuild`: apply it to the key state but drop the outputs it causes (they were produced and
 *   acknowledged before the committed offset moved past it);
 * - `emit`: apply it and emit its outputs;
 * - `wait`: do not apply it yet — it is past the committed offset, but the other input topic of
 *   the partition is still rebuilding, and emitting now would compute drift from half a table.
 *   The caller pauses this topic-partition, seeks back to this offset, and resumes it once the
 *   partition is live (no buffer: Kafka keeps the record);
 * - `ignore`: do not apply it — its partition is not assigned (a batch still in flight after a
 *   revocation) or it was applied already (a re-fetch after a seek).
 */
export type Admission = 'rebuild' | 'emit' | 'wait' | 'ignore';

/** EMPTY_PARTITION_TABLE is the table of a consumer that owns no partition. */
export const EMPTY_PARTITION_TABLE: PartitionTable = new Map();

/**
 * assignPartitions adds newly assigned partitions, each replaying from offset 0 (the start of the
 * compacted log) and live from its committed offsets; a partition with nothing committed is live
 * at once. A partition already in the table is restarted (a re-assignment means its state was or
 * must be rebuilt). The caller drops and rebuilds the key state of these partitions.
 */
export function assignPartitions(
  table: PartitionTable,
  assignments: readonly PartitionAssignment[],
): PartitionTable {
  const next = new Map(table);
  for (const { partition, committed } of assignments) {
    const rebuildEnd = {
      desired: committedOffset(committed.desired),
      observed: committedOffset(committed.observed),
    };
    const caughtUp = { desired: rebuildEnd.desired === 0n, observed: rebuildEnd.observed === 0n };
    next.set(partition, {
      partition,
      phase: caughtUp.desired && caughtUp.observed ? 'live' : 'rebuilding',
      rebuildEnd,
      nextOffset: { desired: 0n, observed: 0n },
      caughtUp,
    });
  }
  return next;
}

/**
 * revokePartitions removes revoked partitions; records of theirs still in flight are then
 * `ignore`d. The caller drops the key state of these partitions (no leak, no stale emissions).
 */
export function revokePartitions(table: PartitionTable, partitions: readonly number[]): PartitionTable {
  if (!partitions.some((p) => table.has(p))) return table;
  const next = new Map(table);
  for (const partition of partitions) next.delete(partition);
  return next;
}

/**
 * admit decides what to do with the record at `offset` of `topic`/`partition` and advances the
 * partition's position (except for `wait` and `ignore`). Records must be admitted in offset order
 * per topic-partition, as a consumer delivers them; offsets may have gaps (compaction). A
 * partition emits nothing until both its input topics are rebuilt up to their committed offsets.
 *
 * Outputs caused by timers (persistence windows, staleness) are not records and are always
 * emitted, also while rebuilding: if one repeats an event produced before a restart, it carries
 * the same deterministic event id, and consumers drop it; suppressing it could lose it.
 */
export function admit(
  table: PartitionTable,
  topic: InputTopic,
  partition: number,
  offset: string | bigint,
): { table: PartitionTable; admission: Admission } {
  const state = table.get(partition);
  const at = typeof offset === 'bigint' ? offset : BigInt(offset);
  if (state === undefined || at < state.nextOffset[topic]) return { table, admission: 'ignore' };
  if (at < state.rebuildEnd[topic]) {
    const next = withTopic(
      state,
      topic,
      at + 1n,
      state.caughtUp[topic] || at + 1n >= state.rebuildEnd[topic],
    );
    return { table: replace(table, next), admission: 'rebuild' };
  }
  const reached = withTopic(state, topic, state.nextOffset[topic], true);
  if (reached.phase !== 'live') return { table: replace(table, reached), admission: 'wait' };
  return { table: replace(table, withTopic(reached, topic, at + 1n, true)), admission: 'emit' };
}

/**
 * markCaughtUp records that the consumer reached the end of `topic`/`partition` (its high
 * watermark) while rebuilding: with compaction, the committed offset itself may no longer exist,
 * so reaching the end of the log also completes the rebuild.
 */
export function markCaughtUp(table: PartitionTable, topic: InputTopic, partition: number): PartitionTable {
  const state = table.get(partition);
  if (state === undefined || state.caughtUp[topic]) return table;
  return replace(table, withTopic(state, topic, state.nextOffset[topic], true));
}

/** isLive tells whether every assigned partition has finished rebuilding (for `/readyz`); true when none is assigned. */
export function isLive(table: PartitionTable): boolean {
  for (const state of table.values()) if (state.phase !== 'live') return false;
  return true;
}

function withTopic(
  state: PartitionState,
  topic: InputTopic,
  nextOffset: bigint,
  caughtUp: boolean,
): PartitionState {
  const nextOffsets = { ...state.nextOffset, [topic]: nextOffset };
  const caught = { ...state.caughtUp, [topic]: caughtUp };
  return {
    partition: state.partition,
    phase: caught.desired && caught.observed ? 'live' : 'rebuilding',
    rebuildEnd: state.rebuildEnd,
    nextOffset: nextOffsets,
    caughtUp: caught,
  };
}

function replace(table: PartitionTable, state: PartitionState): PartitionTable {
  const next = new Map(table);
  next.set(state.partition, state);
  return next;
}

function committedOffset(text: string | undefined): bigint {
  // kafkajs reports "-1" for a group without a commit on that partition: replay nothing silently.
  if (text === undefined || text === '' || text.startsWith('-')) return 0n;
  return BigInt(text);
}
