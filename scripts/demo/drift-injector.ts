import type { Fleet } from '@driftline/fleet-sim';

/**
 * DriftInjector makes the demo's fleet drift now and then, like a person running `kubectl edit`:
 * every `intervalMs` one random database of a random cluster is scaled by one replica (converged,
 * so the drift is real at once). `injected` counts the changes.
 */
export class DriftInjector {
  readonly #timer: NodeJS.Timeout;
  injected = 0;

  constructor(fleet: Fleet, intervalMs: number, onInject?: (key: string) => void) {
    this.#timer = setInterval(() => {
      const cluster = fleet.clusters[Math.floor(Math.random() * fleet.clusters.length)];
      const all = cluster?.listDatabases() ?? [];
      const object = all[Math.floor(Math.random() * all.length)];
      if (cluster === undefined || object === undefined) return;
      const meta = object.metadata;
      const spec = object['spec'] as { replicas?: unknown } | undefined;
      const replicas = typeof spec?.replicas === 'number' ? spec.replicas : 1;
      const ref = { kind: object.kind, namespace: String(meta.namespace), name: meta.name };
      cluster.changeDatabase(
        ref,
        { replicas: replicas >= 5 ? replicas - 1 : replicas + 1 },
        { converge: true },
      );
      this.injected += 1;
      onInject?.(`${cluster.id}/${ref.namespace}/${ref.kind}/${ref.name}`);
    }, intervalMs);
  }

  /** stop ends the injections. */
  stop(): void {
    clearInterval(this.#timer);
  }
}
