import type { DatabaseChange, Fleet } from '@driftline/fleet-sim';
import { parseKey } from '@driftline/shared/keys';
import type { Db } from 'mongodb';

interface OperationDoc {
  readonly _id: string;
  readonly key: string;
  readonly createdAtMs: number;
  readonly spec: {
    readonly replicas: number | null;
    readonly version: string | null;
    readonly storage: string | null;
    readonly resources: {
      readonly cpuRequest: string | null;
      readonly cpuLimit: string | null;
      readonly memoryRequest: string | null;
      readonly memoryLimit: string | null;
    } | null;
  };
}

/** changeOf turns an operation's target spec into a fleet change (only the fields it sets). */
export function changeOf(spec: OperationDoc['spec']): DatabaseChange {
  const r = spec.resources;
  return {
    ...(spec.replicas === null ? {} : { replicas: spec.replicas }),
    ...(spec.version === null ? {} : { version: spec.version }),
    ...(spec.storage === null ? {} : { storage: spec.storage }),
    ...(r?.cpuRequest ? { cpuRequest: r.cpuRequest } : {}),
    ...(r?.cpuLimit ? { cpuLimit: r.cpuLimit } : {}),
    ...(r?.memoryRequest ? { memoryRequest: r.memoryRequest } : {}),
    ...(r?.memoryLimit ? { memoryLimit: r.memoryLimit } : {}),
  };
}

/**
 * Remediator plays the KubeDB operator for the demo: every `intervalMs` it takes the `operations`
 * the sink wrote that are still `pending` and older than `delayMs`, applies each one's spec to its
 * database in the simulated fleet (converged at once, as if the OpsRequest succeeded) and records
 * `status: 'succeeded'`, `attempts: 1` — the lifecycle fields an executor owns. The drift then
 * resolves through the pipeline and the sink marks the operation achieved.
 */
export class Remediator {
  readonly #timer: NodeJS.Timeout;
  #busy = false;
  applied = 0;

  constructor(db: Db, fleet: Fleet, options: { intervalMs: number; delayMs: number }) {
    this.#timer = setInterval(() => {
      if (this.#busy) return;
      this.#busy = true;
      this.#tick(db, fleet, options.delayMs)
        .catch(() => undefined)
        .finally(() => {
          this.#busy = false;
        });
    }, options.intervalMs);
  }

  async #tick(db: Db, fleet: Fleet, delayMs: number): Promise<void> {
    const due = await db
      .collection<OperationDoc>('operations')
      .find({ status: 'pending', outcome: 'outstanding', createdAtMs: { $lte: Date.now() - delayMs } })
      .limit(50)
      .toArray();
    for (const op of due) {
      const key = parseKey(op.key);
      const cluster = fleet.findCluster(key.provider);
      try {
        cluster?.changeDatabase(key, changeOf(op.spec), { converge: true });
      } catch {
        // The database is gone: nothing to apply, the operation still counts as handled.
      }
      await db
        .collection<OperationDoc>('operations')
        .updateOne({ _id: op._id }, { $set: { status: 'succeeded', attempts: 1 } });
      this.applied += 1;
    }
  }

  /** stop ends the loop (an in-flight tick finishes on its own). */
  stop(): void {
    clearInterval(this.#timer);
  }
}
