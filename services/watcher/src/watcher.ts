import type { ObservedDatabase } from '@driftline/schemas';
import { errorCodeOf } from '@driftline/shared/errors';
import type { Logger } from '@driftline/shared/logging';
import type { Clock } from './clock.ts';
import { noopSink, type WatcherEventSink } from './events.ts';
import type { ProviderKubeconfig } from './kubeconfig.ts';
import type { KubeListWatchPort } from './ports.ts';
import {
  ProviderSupervisor,
  type HealthSink,
  type ObservedSink,
  type ProviderStatus,
  type ProviderSupervisorOptions,
} from './provider-supervisor.ts';

/**
 * ProviderConfig is one provider the watcher was asked to watch, its kubeconfig already
 * validated. `revision` changes whenever anything that needs a restart changes (server,
 * credentials, kinds, namespaces).
 */
export interface ProviderConfig {
  readonly id: string;
  readonly kinds: readonly string[];
  readonly namespaces: readonly string[];
  readonly kubeconfig: ProviderKubeconfig;
  readonly revision: string;
}

/** WatcherOptions wire the watcher to its ports; `supervisor` tunes every provider's supervisor. */
export interface WatcherOptions {
  readonly watcherId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly emit?: WatcherEventSink;
  readonly observed: ObservedSink;
  readonly health: HealthSink;
  /** connect builds the list/watch port of one provider. */
  connect(config: ProviderConfig): KubeListWatchPort;
  /**
   * readSeed returns, per provider id, what `observed.v1` already holds for it. A rejection is
   * logged and the providers start unseeded (they then re-publish what they list: harmless,
   * consumers are idempotent — only wasteful).
   */
  readSeed(providerIds: readonly string[]): Promise<ReadonlyMap<string, readonly ObservedDatabase[]>>;
  readonly supervisor?: Partial<
    Pick<
      ProviderSupervisorOptions,
      'policies' | 'queueCapacity' | 'batchSize' | 'healthIntervalMs' | 'reflector'
    >
  >;
}

/** WatcherStatus is the whole watcher's view for `/readyz` and the health endpoint. */
export interface WatcherStatus {
  readonly providers: Readonly<Record<string, ProviderStatus>>;
  /** A provider's watch is stuck (failed reflector, or silent for twice the idle timeout). */
  readonly stuck: boolean;
  /** Every watched provider completed its first LIST and published it. */
  readonly synced: boolean;
}

interface Running {
  readonly config: ProviderConfig;
  readonly supervisor: ProviderSupervisor;
}

/**
 * Watcher runs one `ProviderSupervisor` per provider it owns. `watch` starts the providers that
 * are new or whose `revision` changed (a changed one is stopped first), seeding each from
 * `observed.v1` so that unchanged objects are not published again; `unwatch` stops providers
 * (ownership moved away or the provider was deleted). Calls are serialised: an `unwatch` issued
 * while a `watch` is still reading its seed runs after it, never interleaved.
 */
export class Watcher {
  readonly #o: WatcherOptions;
  readonly #logger: Logger;
  readonly #emit: WatcherEventSink;
  readonly #running = new Map<string, Running>();
  #queue: Promise<void> = Promise.resolve();

  constructor(options: WatcherOptions) {
    this.#o = options;
    this.#logger = options.logger.child({ component: 'watcher' });
    this.#emit = options.emit ?? noopSink;
  }

  #serial(task: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(task);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** providerIds lists the providers being watched now. */
  providerIds(): string[] {
    return [...this.#running.keys()].sort();
  }

  watch(configs: readonly ProviderConfig[]): Promise<void> {
    return this.#serial(async () => {
      const toStart = configs.filter((c) => this.#running.get(c.id)?.config.revision !== c.revision);
      if (toStart.length === 0) return;
      await Promise.all(toStart.map((c) => this.#stopOne(c.id)));
      let seeds: ReadonlyMap<string, readonly ObservedDatabase[]> = new Map();
      try {
        seeds = await this.#o.readSeed(toStart.map((c) => c.id));
      } catch (error) {
        this.#logger.warn(
          { err: error, code: errorCodeOf(error) },
          'observed.v1 not read back; starting unseeded',
        );
      }
      for (const config of toStart) {
        let port: KubeListWatchPort;
        try {
          port = this.#o.connect(config);
        } catch (error) {
          // One provider's broken client must not keep the others from starting.
          this.#logger.error(
            { provider: config.id, err: error, code: errorCodeOf(error) },
            'provider client not created; not watching it',
          );
          continue;
        }
        const supervisor = new ProviderSupervisor({
          ...this.#o.supervisor,
          provider: { id: config.id, kinds: config.kinds, namespaces: config.namespaces },
          port,
          observed: this.#o.observed,
          health: this.#o.health,
          watcherId: this.#o.watcherId,
          clock: this.#o.clock,
          logger: this.#o.logger,
          emit: this.#emit,
          seed: seeds.get(config.id) ?? [],
        });
        this.#running.set(config.id, { config, supervisor });
        supervisor.start();
        this.#logger.info(
          { provider: config.id, kinds: config.kinds, seeded: seeds.get(config.id)?.length ?? 0 },
          'watching provider',
        );
      }
    });
  }

  unwatch(providerIds: readonly string[]): Promise<void> {
    return this.#serial(async () => {
      await Promise.all(providerIds.map((id) => this.#stopOne(id)));
    });
  }

  /** stop stops every provider (graceful: queued records are published first). */
  stop(): Promise<void> {
    return this.#serial(async () => {
      await Promise.all([...this.#running.keys()].map((id) => this.#stopOne(id)));
    });
  }

  async #stopOne(id: string): Promise<void> {
    const running = this.#running.get(id);
    if (running === undefined) return;
    this.#running.delete(id);
    await running.supervisor.stop();
    this.#logger.info({ provider: id }, 'stopped watching provider');
  }

  status(): WatcherStatus {
    const providers: Record<string, ProviderStatus> = {};
    for (const [id, running] of this.#running) providers[id] = running.supervisor.status();
    const all = Object.values(providers);
    return { providers, stuck: all.some((p) => p.stuck), synced: all.every((p) => p.synced) };
  }
}
