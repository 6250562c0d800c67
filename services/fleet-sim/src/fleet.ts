import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SimError } from './sim-error.ts';
import type { RequestCounts } from './request-counters.ts';
import { SimCluster, type SeedOptions, type SimClusterOptions } from './sim-cluster.ts';

/** FleetOptions configures a fleet; cluster options other than id and port apply to every cluster. */
export interface FleetOptions extends Omit<SimClusterOptions, 'id' | 'port'> {
  /** Clusters to start. */
  readonly clusterCount: number;
  /** First API server port; cluster i listens on basePort + i. 0 (default) = ephemeral ports. */
  readonly basePort?: number | undefined;
  /** Provider id prefix; ids are `<prefix>-01`, `<prefix>-02`, ... (default `provider`). */
  readonly idPrefix?: string | undefined;
}

/**
 * Fleet is a set of simulated provider clusters, each its own API server with its own kubeconfig.
 * Usable in-process by tests (`Fleet.start`, then `stop` in afterAll) and by `main.ts`.
 */
export class Fleet {
  readonly #clusters: SimCluster[] = [];
  readonly #options: FleetOptions;

  private constructor(options: FleetOptions) {
    this.#options = options;
  }

  /** start starts `clusterCount` clusters; if one fails to listen, the started ones are stopped. */
  static async start(options: FleetOptions): Promise<Fleet> {
    const fleet = new Fleet(options);
    try {
      for (let i = 0; i < options.clusterCount; i += 1) await fleet.addCluster();
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  /** clusters lists the running clusters in creation order. */
  get clusters(): readonly SimCluster[] {
    return this.#clusters;
  }

  /** cluster returns the cluster with `id`; throws when there is none. */
  cluster(id: string): SimCluster {
    const found = this.#clusters.find((c) => c.id === id);
    if (found === undefined) throw new SimError('not-found', `fleet-sim has no cluster "${id}"`);
    return found;
  }

  /** findCluster returns the cluster with `id`, or undefined. */
  findCluster(id: string): SimCluster | undefined {
    return this.#clusters.find((c) => c.id === id);
  }

  /** addCluster starts one more cluster with the next id (and the next port when basePort is set). */
  async addCluster(): Promise<SimCluster> {
    const index = this.#clusters.length;
    const { clusterCount: _count, basePort, idPrefix, ...shared } = this.#options;
    const cluster = await SimCluster.start({
      ...shared,
      id: `${idPrefix ?? 'provider'}-${String(index + 1).padStart(2, '0')}`,
      port: basePort ? basePort + index : 0,
    });
    this.#clusters.push(cluster);
    return cluster;
  }

  /** seed seeds every cluster with the same options; returns the number of objects created. */
  seed(options: SeedOptions): number {
    let created = 0;
    for (const cluster of this.#clusters) created += cluster.seed(options).length;
    return created;
  }

  /** counters returns each cluster's request counters, by cluster id. */
  counters(): Record<string, RequestCounts> {
    return Object.fromEntries(this.#clusters.map((c) => [c.id, c.counters()]));
  }

  /**
   * writeKubeconfigs writes `<dir>/<id>.yaml` for every cluster (mode 0600: they hold tokens) and
   * returns the paths.
   */
  async writeKubeconfigs(dir: string): Promise<string[]> {
    await mkdir(dir, { recursive: true });
    return Promise.all(
      this.#clusters.map(async (cluster) => {
        const path = join(dir, `${cluster.id}.yaml`);
        await writeFile(path, cluster.kubeconfigYaml(), { mode: 0o600 });
        return path;
      }),
    );
  }

  /** stop stops every cluster. */
  async stop(): Promise<void> {
    await Promise.all(this.#clusters.map((c) => c.stop()));
  }
}
