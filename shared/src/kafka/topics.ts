import type { TopicDescription, TopicSpec } from './ports.ts';

/**
 * TopicDrift is one property of an existing topic that differs from its spec. Provisioning reports
 * it and changes nothing: re-partitioning a co-partitioned topic moves keys to other partitions
 * (murmur2 % count) and silently breaks the join; flipping cleanup.policy deletes or keeps state.
 */
export interface TopicDrift {
  readonly topic: string;
  readonly property: 'partitions' | 'cleanup.policy';
  readonly expected: string;
  readonly actual: string;
}

/** TopicPlan says what provisioning does: create `create`, leave `existing`, report `drift`. */
export interface TopicPlan {
  readonly create: readonly TopicSpec[];
  readonly existing: readonly string[];
  readonly drift: readonly TopicDrift[];
}

/** cleanupPolicyFor is the cleanup.policy a spec asks for: `compact` for state topics, else `delete`. */
export function cleanupPolicyFor(spec: TopicSpec): string {
  return spec.compacted ? 'compact' : 'delete';
}

function normalisePolicy(policy: string): string {
  return policy
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part.length > 0)
    .sort()
    .join(',');
}

/**
 * planTopics compares the wanted topics with what the broker has: missing topics are created,
 * existing ones kept, and every partition-count or cleanup-policy difference is listed as drift.
 * A compacted spec wants exactly `compact` (`compact,delete` would expire state); a plain spec
 * wants exactly `delete`. Pure; the admin adapter fetches `described`.
 */
export function planTopics(specs: readonly TopicSpec[], described: readonly TopicDescription[]): TopicPlan {
  const byName = new Map(described.map((topic) => [topic.name, topic]));
  const create: TopicSpec[] = [];
  const existing: string[] = [];
  const drift: TopicDrift[] = [];
  for (const spec of specs) {
    const actual = byName.get(spec.name);
    if (actual === undefined) {
      create.push(spec);
      continue;
    }
    existing.push(spec.name);
    if (actual.partitions !== spec.partitions) {
      drift.push({
        topic: spec.name,
        property: 'partitions',
        expected: String(spec.partitions),
        actual: String(actual.partitions),
      });
    }
    const wantedPolicy = cleanupPolicyFor(spec);
    if (normalisePolicy(actual.cleanupPolicy) !== wantedPolicy) {
      drift.push({
        topic: spec.name,
        property: 'cleanup.policy',
        expected: wantedPolicy,
        actual: actual.cleanupPolicy,
      });
    }
  }
  return { create, existing, drift };
}

/** describeDrift renders drift as one line per difference for an error message or a log. */
export function describeDrift(drift: readonly TopicDrift[]): string {
  return drift
    .map(
      (d) => `${d.topic}: ${d.property} is ${d.actual}, expected ${d.expected} (not changed automatically)`,
    )
    .join('; ');
}

/**
 * topicConfigEntries are the configs a topic is created with: its cleanup.policy, a
 * min.insync.replicas that makes acks=all meaningful (2 when there are at least 3 replicas, so one
 * broker may be down; otherwise 1, since more than the replica count could never be met), then
 * the spec's own `configs`, which win.
 */
export function topicConfigEntries(spec: TopicSpec): { name: string; value: string }[] {
  const configs: Record<string, string> = {
    'cleanup.policy': cleanupPolicyFor(spec),
    'min.insync.replicas': spec.replicationFactor >= 3 ? '2' : '1',
    ...spec.configs,
  };
  return Object.entries(configs).map(([name, value]) => ({ name, value }));
}
