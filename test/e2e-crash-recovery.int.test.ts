import { afterEach, describe, expect, it } from 'vitest';
import { withDrift, type DatabaseDocument, type DriftKind } from '../scripts/demo/desired-records.ts';
import type { ServiceName } from '../scripts/start/service-process.ts';
import { startPipeline, type TestPipeline } from './support/pipeline.ts';
import { pipelineLag, projectionSnapshot, type ProjectionSnapshot } from './support/pipeline-state.ts';
import { stackEndpoints } from './support/stack.ts';

// SIGKILL each service in turn while changes flow, restart it, and compare what the pipeline
// leaves in MongoDB with an undisturbed run of the same scenario: no lost change, no duplicate
// operation, the same open drift.

const CRASH_ORDER: readonly ServiceName[] = ['desired', 'watcher', 'reconciler', 'sink'];

let running: TestPipeline | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function refOf(doc: DatabaseDocument): { kind: string; namespace: string; name: string } {
  return { kind: doc.kind, namespace: doc.namespace, name: doc.name };
}

/** Model is the test's own view of each database: the desired record and whether it drifts. */
type Model = Map<string, { doc: DatabaseDocument; drifting: boolean }>;

function fixFields(doc: DatabaseDocument, kind: DriftKind): Record<string, unknown> {
  switch (kind) {
    case 'replicas':
      return { replicas: doc.replicas };
    case 'storage':
      return { storage: doc.storage ?? undefined };
    case 'memory':
      return { memoryRequest: doc.resources.requests.memory ?? undefined };
  }
}

/** step i: a desired change, a CR change, and a fix of an initially drifting database. */
async function applyStep(p: TestPipeline, model: Model, i: number): Promise<void> {
  const dbs = p.seed.databases;
  const desired = dbs[1 + 4 * i] as DatabaseDocument;
  const changed = withDrift(desired, 'replicas');
  await p.db
    .collection<DatabaseDocument>('databases')
    .replaceOne({ _id: desired._id }, { ...changed, updatedAt: new Date() });
  model.set(desired._id, { doc: changed, drifting: true });

  const cr = dbs[2 + 4 * i] as DatabaseDocument;
  p.fleet.cluster(cr.provider).changeDatabase(refOf(cr), { replicas: cr.replicas + 1 }, { converge: true });
  model.set(cr._id, { doc: cr, drifting: true });

  const fixed = dbs[4 * i] as DatabaseDocument;
  const kind = p.seed.drifting.get(fixed._id);
  if (kind === undefined) throw new Error(`scenario: ${fixed._id} was meant to drift`);
  p.fleet.cluster(fixed.provider).changeDatabase(refOf(fixed), fixFields(fixed, kind), { converge: true });
  model.set(fixed._id, { doc: fixed, drifting: false });
}

/** settle waits until MongoDB shows exactly the model's drift set and nothing is left to consume. */
async function settle(p: TestPipeline, model: Model, label: string): Promise<void> {
  const expected = [...model]
    .filter(([, v]) => v.drifting)
    .map(([k]) => k)
    .sort();
  let last = '';
  try {
    await p.waitFor(
      `${label}: open drift = ${expected.length} modelled keys, operations written, lag 0`,
      async () => {
        const snap = await projectionSnapshot(p);
        const open = snap.openDrift.filter((d) => d.keyStatus === 'drifting').map((d) => d.key);
        const outstanding = new Set(
          snap.operations.filter((o) => o.outcome === 'outstanding').map((o) => o.key),
        );
        const lag = await pipelineLag(p);
        last = JSON.stringify({
          missingDrift: expected.filter((k) => !open.includes(k)),
          extraDrift: open.filter((k) => !expected.includes(k)),
          missingOperations: expected.filter((k) => !outstanding.has(k)),
          lag,
        });
        return (
          JSON.stringify(open) === JSON.stringify(expected) &&
          expected.every((k) => outstanding.has(k)) &&
          lag === 0
        );
      },
      180_000,
    );
  } catch (error) {
    throw new Error(`${label}: last state ${last}`, { cause: error });
  }
}

async function runScenario(crash: boolean): Promise<ProjectionSnapshot> {
  const p = await startPipeline(stackEndpoints(), {
    clusterCount: 2,
    databasesPerCluster: 16,
    driftRatio: 0.25,
    // Transient missing/orphan states while the two inputs catch up are not reported.
    reconcilerPersistMs: 500,
  });
  running = p;
  const model: Model = new Map(
    p.seed.databases.map((doc) => [doc._id, { doc, drifting: p.seed.drifting.has(doc._id) }]),
  );
  await settle(p, model, 'initial sync');
  for (const [i, service] of CRASH_ORDER.entries()) {
    await applyStep(p, model, i);
    if (crash) {
      // Mid-flow: the changes are on their way through the pipeline when the process dies.
      await new Promise((r) => setTimeout(r, 100 + 50 * i));
      await p.services.kill(service);
      await p.services.start(service);
    }
    await settle(p, model, `step ${i}${crash ? ` (${service} killed)` : ''}`);
  }
  const snapshot = await projectionSnapshot(p);
  await p.stop();
  running = undefined;
  return snapshot;
}

describe('a crashed service loses nothing and duplicates nothing', () => {
  it('ends with the same MongoDB projections and drift set as an undisturbed run', async () => {
    const undisturbed = await runScenario(false);
    const crashed = await runScenario(true);

    expect(crashed.openDrift).toEqual(undisturbed.openDrift);
    expect(crashed.operations).toEqual(undisturbed.operations);
    expect(crashed.observed).toEqual(undisturbed.observed);
    // At most one outstanding operation per database and type.
    const outstanding = crashed.operations
      .filter((o) => o.outcome === 'outstanding')
      .map((o) => `${o.key}|${o.type}`);
    expect(new Set(outstanding).size).toBe(outstanding.length);
    // The scenario's changes all arrived: 8 initially drifting − 4 fixed + 4 desired + 4 CR changes.
    expect(crashed.openDrift).toHaveLength(12);
  }, 1_200_000);
});
