import { kindByName } from '@driftline/fleet-sim';
import type { Db } from 'mongodb';

/**
 * PollingTarget is how the old worker reaches one provider: its API server and bearer token.
 */
export interface PollingTarget {
  readonly server: string;
  readonly token: string;
}

interface DatabaseDoc {
  readonly _id: string;
  readonly provider: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly replicas: number;
  readonly storage: string | null;
  readonly version: string;
  readonly resources: { readonly requests: { readonly memory: string | null; readonly cpu: string | null } };
}

/** PollResult is what one database check found: drifting or not, and when it was checked. */
export interface PollResult {
  readonly key: string;
  readonly drifting: boolean;
  readonly checkedAtMs: number;
}

/** SweepResult sums one pass over every database. */
export interface SweepResult {
  readonly databases: number;
  readonly drifting: number;
  readonly mongoReads: number;
  readonly apiGets: number;
  readonly durationMs: number;
}

function pathValue(object: unknown, path: readonly (string | number)[]): unknown {
  let current = object;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

/**
 * PollingReconciler is the platform's old drift worker with its improvement plan applied, kept
 * as a benchmark baseline: for every database it reads the desired record from MongoDB
 * (`findOne` by id), GETs the custom resource from its provider's API server, and compares the
 * fields driftline compares (replicas, version, storage, memory and CPU requests), with
 * `concurrency` checks in flight (10 in the plan). `onResult` sees each check as it completes.
 */
export class PollingReconciler {
  readonly #db: Db;
  readonly #targets: ReadonlyMap<string, PollingTarget>;
  readonly #concurrency: number;

  constructor(db: Db, targets: ReadonlyMap<string, PollingTarget>, concurrency = 10) {
    this.#db = db;
    this.#targets = targets;
    this.#concurrency = concurrency;
  }

  /** sweep checks every database once (ids listed first, as the worker's cursor did). */
  async sweep(onResult?: (result: PollResult) => void): Promise<SweepResult> {
    const started = Date.now();
    const collection = this.#db.collection<DatabaseDoc>('databases');
    const ids = (await collection.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    let next = 0;
    let drifting = 0;
    let apiGets = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next] as string;
        next += 1;
        const desired = await collection.findOne({ _id: id });
        if (desired === null) continue;
        const target = this.#targets.get(desired.provider);
        if (target === undefined) continue;
        const plural = kindByName(desired.kind)?.plural ?? `${desired.kind.toLowerCase()}s`;
        const url = `${target.server}/apis/kubedb.com/v1/namespaces/${desired.namespace}/${plural}/${desired.name}`;
        apiGets += 1;
        const response = await fetch(url, { headers: { authorization: `Bearer ${target.token}` } });
        const cr: unknown = response.ok ? await response.json() : null;
        const container = pathValue(cr, ['spec', 'podTemplate', 'spec', 'containers', 0]);
        const isDrifting =
          cr === null ||
          pathValue(cr, ['spec', 'replicas']) !== desired.replicas ||
          pathValue(cr, ['spec', 'version']) !== desired.version ||
          pathValue(cr, ['spec', 'storage', 'resources', 'requests', 'storage']) !== desired.storage ||
          pathValue(container, ['resources', 'requests', 'memory']) !== desired.resources.requests.memory ||
          pathValue(container, ['resources', 'requests', 'cpu']) !== desired.resources.requests.cpu;
        if (isDrifting) drifting += 1;
        onResult?.({ key: id, drifting: isDrifting, checkedAtMs: Date.now() });
      }
    };
    await Promise.all(Array.from({ length: this.#concurrency }, () => worker()));
    return {
      databases: ids.length,
      drifting,
      mongoReads: ids.length + 1,
      apiGets,
      durationMs: Date.now() - started,
    };
  }
}
