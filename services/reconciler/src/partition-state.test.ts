import { describe, expect, it } from 'vitest';
import {
  EMPTY_PARTITION_TABLE,
  admit,
  assignPartitions,
  isLive,
  markCaughtUp,
  revokePartitions,
  type Admission,
  type InputTopic,
  type PartitionTable,
} from './partition-state.ts';

/** Admits records in order and returns the admissions and the final table. */
function feed(
  table: PartitionTable,
  records: [InputTopic, number, number][],
): { table: PartitionTable; admissions: Admission[] } {
  const admissions: Admission[] = [];
  for (const [topic, partition, offset] of records) {
    const result = admit(table, topic, partition, String(offset));
    table = result.table;
    admissions.push(result.admission);
  }
  return { table, admissions };
}

describe('partition state', () => {
  it('is live at once for a partition without committed offsets', () => {
    const table = assignPartitions(EMPTY_PARTITION_TABLE, [
      { partition: 0, committed: { desired: '-1', observed: '-1' } },
    ]);
    expect(isLive(table)).toBe(true);
    expect(feed(table, [['desired', 0, 0]]).admissions).toEqual(['emit']);
  });

  it('replays records below the committed offsets silently, then emits', () => {
    const table = assignPartitions(EMPTY_PARTITION_TABLE, [
      { partition: 3, committed: { desired: '3', observed: '2' } },
    ]);
    expect(isLive(table)).toBe(false);
    const run = feed(table, [
      ['desired', 3, 0],
      ['observed', 3, 0],
      ['desired', 3, 2], // offset 1 compacted away
      ['observed', 3, 1],
      ['desired', 3, 3],
      ['observed', 3, 2],
    ]);
    expect(run.admissions).toEqual(['rebuild', 'rebuild', 'rebuild', 'rebuild', 'emit', 'emit']);
    expect(isLive(run.table)).toBe(true);
  });

  it('holds back a live record while the other input topic is still rebuilding (no half-table drift)', () => {
    const table = assignPartitions(EMPTY_PARTITION_TABLE, [
      { partition: 1, committed: { desired: '1', observed: '5' } },
    ]);
    const first = feed(table, [
      ['desired', 1, 0],
      ['desired', 1, 1],
      ['observed', 1, 0],
    ]);
    expect(first.admissions).toEqual(['rebuild', 'wait', 'rebuild']);
    // Caught up with observed (offsets 1..4 compacted): the paused desired record is re-fetched and emitted.
    const live = markCaughtUp(first.table, 'observed', 1);
    expect(isLive(live)).toBe(true);
    expect(feed(live, [['desired', 1, 1]]).admissions).toEqual(['emit']);
  });

  it('ignores records of unassigned or revoked partitions and records applied already', () => {
    let table = assignPartitions(EMPTY_PARTITION_TABLE, [
      { partition: 0, committed: { desired: '0', observed: '0' } },
      { partition: 1, committed: { desired: '0', observed: '0' } },
    ]);
    const run = feed(table, [
      ['desired', 0, 5],
      ['desired', 0, 5],
      ['desired', 0, 4],
      ['desired', 2, 0],
    ]);
    expect(run.admissions).toEqual(['emit', 'ignore', 'ignore', 'ignore']);
    table = revokePartitions(run.table, [0]);
    expect([...table.keys()]).toEqual([1]);
    expect(feed(table, [['desired', 0, 6]]).admissions).toEqual(['ignore']);
  });

  it('restarts the rebuild when a partition is assigned again', () => {
    const assignment = { partition: 0, committed: { desired: '2', observed: '0' } };
    const first = feed(assignPartitions(EMPTY_PARTITION_TABLE, [assignment]), [
      ['desired', 0, 0],
      ['desired', 0, 1],
      ['desired', 0, 2],
    ]);
    expect(first.admissions).toEqual(['rebuild', 'rebuild', 'emit']);
    const again = feed(
      assignPartitions(first.table, [{ ...assignment, committed: { desired: '3', observed: '0' } }]),
      [
        ['desired', 0, 0],
        ['desired', 0, 3],
      ],
    );
    expect(again.admissions).toEqual(['rebuild', 'emit']);
  });

  it('leaves the table unchanged when revoking partitions it does not hold', () => {
    const table = assignPartitions(EMPTY_PARTITION_TABLE, [
      { partition: 0, committed: { desired: '0', observed: '0' } },
    ]);
    expect(revokePartitions(table, [7])).toBe(table);
    expect(isLive(EMPTY_PARTITION_TABLE)).toBe(true);
  });
});
