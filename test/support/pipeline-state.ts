import { createKafkaAdmin, fetchConsumerLag } from '@driftline/shared/kafka';
import type { TestPipeline } from './pipeline.ts';

/** ProjectionSnapshot is the comparable part of what a pipeline left in MongoDB, sorted by id. */
export interface ProjectionSnapshot {
  readonly openDrift: { key: string; keyStatus: string; fingerprint: string; paths: string[] }[];
  readonly operations: { id: string; key: string; type: string; outcome: string; spec: unknown }[];
  readonly observed: { key: string; replicas: number | null; storage: string | null }[];
}

interface DriftDoc {
  readonly _id: string;
  readonly status: string;
  readonly keyStatus: string;
  readonly fingerprint: string;
  readonly differences: { path: string }[];
}

/**
 * projectionSnapshot reads the sink's projections: open drift (status not `resolved`) with its
 * fingerprint, every operation with its outcome, and the observed fields the scenarios change.
 * Volatile fields (times, offsets, resourceVersions) are left out so two runs compare equal.
 */
export async function projectionSnapshot(pipeline: TestPipeline): Promise<ProjectionSnapshot> {
  const drift = await pipeline.db
    .collection<DriftDoc>('drift')
    .find({ status: { $ne: 'resolved' } })
    .toArray();
  const operations = await pipeline.db
    .collection<{ _id: string } & Record<string, unknown>>('operations')
    .find()
    .toArray();
  const observed = await pipeline.db
    .collection<{ _id: string } & Record<string, unknown>>('observed_state')
    .find()
    .toArray();
  const byId = <T extends { key: string } | { id: string }>(a: T, b: T): number =>
    ('id' in a ? a.id : a.key) < ('id' in b ? b.id : b.key) ? -1 : 1;
  return {
    openDrift: drift
      .map((d) => ({
        key: d._id,
        keyStatus: d.keyStatus,
        fingerprint: d.fingerprint,
        paths: d.differences.map((x) => x.path),
      }))
      .sort(byId),
    operations: operations
      .map((o) => ({
        id: o._id,
        key: String(o['key']),
        type: String(o['type']),
        outcome: String(o['outcome']),
        spec: o['spec'],
      }))
      .sort(byId),
    observed: observed
      .map((o) => ({
        key: o._id,
        replicas: (o['replicas'] as number | null) ?? null,
        storage: (o['storage'] as string | null) ?? null,
      }))
      .sort(byId),
  };
}

/**
 * pipelineLag returns the total messages the reconciler and sink groups have not consumed yet
 * (0 = every record published so far has been processed and committed).
 */
export async function pipelineLag(pipeline: TestPipeline): Promise<number> {
  const t = pipeline.settings.topics;
  const admin = await createKafkaAdmin(pipeline.kafka);
  try {
    const groups = [
      { group: `${pipeline.id}-reconciler`, topics: [t.desired, t.observed] },
      { group: `${pipeline.id}-sink`, topics: [t.operations, t.observed, t.drift] },
    ];
    let total = 0;
    for (const g of groups) {
      for (const lag of await fetchConsumerLag(admin, g.group, g.topics, Date.now())) total += lag.messages;
    }
    return total;
  } finally {
    await admin.disconnect();
  }
}
