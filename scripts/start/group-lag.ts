import { fetchConsumerLag, type KafkaAdminPort, type PartitionLag } from '@driftline/shared/kafka';

/** GroupLag is one consumer group's lag: per partition, and totalled (messages) / worst (seconds). */
export interface GroupLag {
  readonly group: string;
  readonly partitions: readonly PartitionLag[];
  readonly messages: number;
  readonly seconds: number;
}

/**
 * measureGroupLag measures each group's lag on its topics with `fetchConsumerLag` (messages and
 * seconds per partition). Topics that do not exist are left out (a group on none of them is
 * reported with no partitions). Rejects when Kafka is unreachable.
 */
export async function measureGroupLag(
  admin: KafkaAdminPort,
  groups: readonly { group: string; topics: readonly string[] }[],
  nowMs = Date.now(),
): Promise<GroupLag[]> {
  const existing = new Set(
    (await admin.describeTopics([...new Set(groups.flatMap((g) => g.topics))])).map((t) => t.name),
  );
  const out: GroupLag[] = [];
  for (const g of groups) {
    const topics = g.topics.filter((t) => existing.has(t));
    const partitions = topics.length === 0 ? [] : await fetchConsumerLag(admin, g.group, topics, nowMs);
    out.push({
      group: g.group,
      partitions,
      messages: partitions.reduce((sum, p) => sum + p.messages, 0),
      seconds: partitions.reduce((worst, p) => Math.max(worst, p.seconds), 0),
    });
  }
  return out;
}

/** formatLagTable renders GroupLags as aligned text lines, one per group/topic/partition. */
export function formatLagTable(lags: readonly GroupLag[]): string[] {
  const rows = [['GROUP', 'TOPIC', 'PARTITION', 'LAG (messages)', 'LAG (seconds)']];
  for (const g of lags) {
    for (const p of g.partitions) {
      rows.push([g.group, p.topic, String(p.partition), String(p.messages), p.seconds.toFixed(1)]);
    }
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}
