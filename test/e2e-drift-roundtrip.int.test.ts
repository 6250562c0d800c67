import type { DriftEvent } from '@driftline/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseDocument } from '../scripts/demo/desired-records.ts';
import { startPipeline, type TestPipeline } from './support/pipeline.ts';
import { stackEndpoints } from './support/stack.ts';

// The whole pipeline, end to end, on the real local stack: a desired change in MongoDB and,
// separately, a CR change in a provider cluster each open a drift on drift.v1 and an outstanding
// operation in MongoDB; bringing the CR in line resolves the drift and marks the operation achieved.

interface OperationDoc {
  readonly _id: string;
  readonly key: string;
  readonly type: string;
  readonly outcome: string;
  readonly spec: { readonly replicas: number | null };
  readonly achievedByEventId?: string;
}

let pipeline: TestPipeline;

beforeAll(async () => {
  pipeline = await startPipeline(stackEndpoints(), {
    clusterCount: 2,
    databasesPerCluster: 12,
    driftRatio: 0,
  });
  // Everything observed is projected: the pipeline is flowing end to end.
  await pipeline.waitFor(
    'every observed database projected by the sink',
    async () => (await pipeline.db.collection('observed_state').countDocuments()) === 24,
    90_000,
  );
}, 180_000);

afterAll(async () => {
  await pipeline?.stop();
});

function eventsFor(key: string): DriftEvent[] {
  return pipeline.drift.map((a) => a.event).filter((e) => e.key === key);
}

function refOf(doc: DatabaseDocument): { kind: string; namespace: string; name: string } {
  return { kind: doc.kind, namespace: doc.namespace, name: doc.name };
}

async function operationsOf(key: string): Promise<OperationDoc[]> {
  return pipeline.db.collection<OperationDoc>('operations').find({ key }).toArray();
}

async function roundTrip(
  doc: DatabaseDocument,
  makeDrift: () => Promise<void>,
  fix: () => void,
): Promise<void> {
  const before = eventsFor(doc._id).length;
  await makeDrift();
  await pipeline.waitFor(`drift opened for ${doc._id}`, () =>
    eventsFor(doc._id)
      .slice(before)
      .some((e) => e.status === 'opened' && e.keyStatus === 'drifting'),
  );
  const opened = eventsFor(doc._id)
    .slice(before)
    .find((e) => e.status === 'opened');
  expect(opened?.differences.map((d) => d.path)).toEqual(['spec.replicas']);
  expect(opened?.operationIds).toHaveLength(1);
  const operationId = opened?.operationIds[0];

  await pipeline.waitFor(`operation ${operationId} in MongoDB`, async () =>
    (await operationsOf(doc._id)).some((o) => o._id === operationId),
  );
  const [operation] = await operationsOf(doc._id);
  expect(operation).toMatchObject({ _id: operationId, type: 'HorizontalScaling', outcome: 'outstanding' });

  fix();
  await pipeline.waitFor(`drift resolved for ${doc._id}`, () =>
    eventsFor(doc._id)
      .slice(before)
      .some((e) => e.status === 'resolved'),
  );
  const resolved = eventsFor(doc._id)
    .slice(before)
    .find((e) => e.status === 'resolved');
  await pipeline.waitFor(`operation ${operationId} achieved`, async () =>
    (await operationsOf(doc._id)).every((o) => o.outcome === 'achieved'),
  );
  const achieved = await operationsOf(doc._id);
  expect(achieved).toHaveLength(1);
  expect(achieved[0]).toMatchObject({
    _id: operationId,
    outcome: 'achieved',
    achievedByEventId: resolved?.eventId,
  });
  const stored = await pipeline.db.collection('drift').findOne({ _id: doc._id as never });
  expect(stored).toMatchObject({ status: 'resolved', resolvedEventId: resolved?.eventId });
}

describe('a drift travels the whole pipeline and back', () => {
  it('opens on a desired change in MongoDB and resolves when the CR is scaled to match', async () => {
    const doc = pipeline.seed.databases[3] as DatabaseDocument;
    const cluster = pipeline.fleet.cluster(doc.provider);
    await roundTrip(
      doc,
      async () => {
        await pipeline.db
          .collection<DatabaseDocument>('databases')
          .updateOne(
            { _id: doc._id },
            { $set: { replicas: doc.replicas + 2, generation: 2, updatedAt: new Date() } },
          );
      },
      () => cluster.changeDatabase(refOf(doc), { replicas: doc.replicas + 2 }, { converge: true }),
    );
  });

  it('opens on a CR change in the fleet and resolves when the CR is scaled back', async () => {
    const doc = pipeline.seed.databases[16] as DatabaseDocument;
    const cluster = pipeline.fleet.cluster(doc.provider);
    await roundTrip(
      doc,
      async () => {
        cluster.changeDatabase(refOf(doc), { replicas: doc.replicas + 1 }, { converge: true });
      },
      () => cluster.changeDatabase(refOf(doc), { replicas: doc.replicas }, { converge: true }),
    );
  });

  it('leaves every untouched database in sync', async () => {
    const touched = new Set([pipeline.seed.databases[3]?._id, pipeline.seed.databases[16]?._id]);
    const others = pipeline.drift.filter(
      (a) => !touched.has(a.event.key) && a.event.keyStatus === 'drifting',
    );
    expect(others).toEqual([]);
  });
});
