import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { createApiHandler } from './api-handler.ts';
import { systemClock, type Clock } from './clock.ts';
import { FaultSchedule, type ActiveFault, type FaultSpec } from './faults.ts';
import { KUBEDB_KINDS, kindByName, type KubeDbKind } from './kinds.ts';
import { buildKubeconfig, kubeconfigYaml, type Kubeconfig, type KubeconfigInput } from './kubeconfig.ts';
import type { KubeObject, StoredObject } from './kube-object.ts';
import {
  applyChange,
  applyDefect,
  applyStatus,
  converged,
  makeDatabase,
  type DatabaseChange,
  type DatabaseStatus,
  type Defect,
} from './kubedb-object.ts';
import { RequestCounters, type RequestCounts } from './request-counters.ts';
import { localServingCertificate } from './serving-certificate.ts';
import { SimError } from './sim-error.ts';
import { Stalls } from './stalls.ts';
import { ClusterStore } from './store.ts';
import { WatchHub } from './watch-hub.ts';

/** DatabaseRef names one KubeDB object of a cluster; `kind` is the kind name ('MongoDB') or plural. */
export interface DatabaseRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** SeedOptions shapes a bulk seed. */
export interface SeedOptions {
  /** Objects to create. */
  readonly count: number;
  /** Kinds to spread them over, round robin (default: all four). */
  readonly kinds?: readonly string[] | undefined;
  /** Namespaces to spread them over, round robin (default: DEFAULT_NAMESPACES). */
  readonly namespaces?: readonly string[] | undefined;
  /** Name prefix (default `db`); names are `<prefix>-<index>` and skip ones already taken. */
  readonly namePrefix?: string | undefined;
}

/** DEFAULT_NAMESPACES are the tenant namespaces seeded objects land in. */
export const DEFAULT_NAMESPACES: readonly string[] = ['tenant-a', 'tenant-b', 'tenant-c', 'tenant-d'];

/** SimClusterOptions configures one simulated provider cluster. */
export interface SimClusterOptions {
  /** Provider id; also the kubeconfig's cluster and context name. */
  readonly id: string;
  /** Port on 127.0.0.1; 0 (default) picks an ephemeral one. */
  readonly port?: number | undefined;
  /** Bearer token clients must send; random when absent. */
  readonly token?: string | undefined;
  /** Events kept for watch resumption and consistent lists (default 10,000). */
  readonly historyWindow?: number | undefined;
  /** Interval of BOOKMARK events on watches that allow them (default 10 s). */
  readonly bookmarkIntervalMs?: number | undefined;
  /** Watch length when the client sends no timeoutSeconds (default 30 min, like the API server). */
  readonly defaultWatchTimeoutMs?: number | undefined;
  /**
   * Unread bytes a watch may buffer before its client counts as slow (default 1 MiB); a slow
   * client's watch is closed unless its buffer drains within slowWatchGraceMs (default 5 s), or at
   * once past 64 times the bound.
   */
  readonly maxWatchBufferedBytes?: number | undefined;
  readonly slowWatchGraceMs?: number | undefined;
  /**
   * Serve HTTPS with a self-signed certificate for 127.0.0.1 (default: plain HTTP). Kubeconfigs
   * then carry the certificate as `certificate-authority-data`. kubectl needs it: it sends a
   * bearer token only over TLS.
   */
  readonly tls?: boolean | undefined;
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
}

/**
 * SimCluster is one simulated provider cluster: a Kubernetes API server for KubeDB resources on its
 * own 127.0.0.1 port with its own bearer token, plus an in-process control surface to seed and
 * change objects (as users and the KubeDB operator would), and to inject faults. Control writes go
 * through the same store as API writes, so watches see them as ordinary events. Returned objects
 * are the stored ones, typed deeply readonly (copy them before changing anything).
 */
export class SimCluster {
  readonly id: string;
  readonly token: string;
  readonly store: ClusterStore;
  readonly #server: HttpServer | HttpsServer;
  /** The PEM certificate clients must trust (HTTPS), or undefined for plain HTTP. */
  readonly caCertificate: string | undefined;
  readonly #hub: WatchHub;
  readonly #faults: FaultSchedule;
  readonly #counters = new RequestCounters();
  readonly #stalls = new Stalls();
  readonly #logger: Logger;
  #nextSeedIndex = 0;

  private constructor(
    options: SimClusterOptions,
    server: HttpServer | HttpsServer,
    caCertificate: string | undefined,
    store: ClusterStore,
    faults: FaultSchedule,
    hub: WatchHub,
    logger: Logger,
  ) {
    this.id = options.id;
    this.token = options.token ?? randomBytes(24).toString('base64url');
    this.store = store;
    this.#server = server;
    this.caCertificate = caCertificate;
    this.#hub = hub;
    this.#faults = faults;
    this.#logger = logger;
  }

  /** start creates the cluster and listens on 127.0.0.1; resolves once it accepts connections. */
  static async start(options: SimClusterOptions): Promise<SimCluster> {
    const clock = options.clock ?? systemClock;
    const logger = (options.logger ?? pino({ level: 'silent' })).child({
      component: 'fleet-sim',
      provider: options.id,
    });
    const store = new ClusterStore({ historyWindow: options.historyWindow ?? 10_000, clock });
    const hub = new WatchHub(store);
    const faults = new FaultSchedule(clock);
    const certificate = options.tls === true ? await localServingCertificate() : undefined;
    const server =
      certificate === undefined
        ? createHttpServer({ keepAlive: true, noDelay: true })
        : createHttpsServer({ keepAlive: true, noDelay: true, ...certificate });
    const cluster = new SimCluster(options, server, certificate?.cert, store, faults, hub, logger);
    server.on(
      'request',
      createApiHandler({
        store,
        hub,
        faults,
        counters: cluster.#counters,
        stalls: cluster.#stalls,
        token: cluster.token,
        serverAddress: () => `127.0.0.1:${cluster.port}`,
        watch: {
          bookmarkIntervalMs: options.bookmarkIntervalMs ?? 10_000,
          defaultTimeoutMs: options.defaultWatchTimeoutMs ?? 1_800_000,
          maxBufferedBytes: options.maxWatchBufferedBytes ?? 1024 * 1024,
          slowGraceMs: options.slowWatchGraceMs ?? 5_000,
        },
        maxBodyBytes: 3 * 1024 * 1024,
        logger,
      }),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    logger.info({ server: cluster.server }, 'fleet-sim cluster listening');
    return cluster;
  }

  /** port is the port the API server listens on. */
  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** server is the API server's base URL on 127.0.0.1 (https when started with `tls`). */
  get server(): string {
    return `${this.caCertificate === undefined ? 'http' : 'https'}://127.0.0.1:${this.port}`;
  }

  /** revision is the cluster's current resourceVersion. */
  get revision(): number {
    return this.store.revision;
  }

  /** kubeconfig returns this cluster's kubeconfig as an object (inline bearer token). */
  kubeconfig(namespace?: string): Kubeconfig {
    return buildKubeconfig(this.#kubeconfigInput(namespace));
  }

  /** kubeconfigYaml returns this cluster's kubeconfig as YAML text. */
  kubeconfigYaml(namespace?: string): string {
    return kubeconfigYaml(this.#kubeconfigInput(namespace));
  }

  #kubeconfigInput(namespace: string | undefined): KubeconfigInput {
    return {
      name: this.id,
      server: this.server,
      token: this.token,
      caCertificate: this.caCertificate,
      namespace,
    };
  }

  /**
   * seed creates `count` converged databases spread round robin over kinds and namespaces, with
   * slightly varied specs, and returns their refs. Synchronous; open watches receive ADDED events.
   */
  seed(options: SeedOptions): DatabaseRef[] {
    const kinds = (options.kinds ?? KUBEDB_KINDS.map((k) => k.kind)).map((k) => this.#kind(k));
    const namespaces = options.namespaces ?? DEFAULT_NAMESPACES;
    const prefix = options.namePrefix ?? 'db';
    const refs: DatabaseRef[] = [];
    while (refs.length < options.count) {
      const i = this.#nextSeedIndex;
      this.#nextSeedIndex += 1;
      const kind = kinds[i % kinds.length] as KubeDbKind;
      const namespace = namespaces[Math.floor(i / kinds.length) % namespaces.length] as string;
      const name = `${prefix}-${String(i).padStart(5, '0')}`;
      if (this.store.get(kind.plural, namespace, name) !== undefined) continue;
      const input = makeDatabase(kind, namespace, name, {
        replicas: 1 + (i % 5),
        storage: `${10 * (1 + (i % 4))}Gi`,
      });
      const result = this.store.create(kind.plural, input);
      if (result.ok) refs.push({ kind: kind.kind, namespace, name });
    }
    return refs;
  }

  /** createDatabase creates one database (409-equivalent error when it exists). */
  createDatabase(ref: DatabaseRef, fields: DatabaseChange = {}, status?: DatabaseStatus): StoredObject {
    const kind = this.#kind(ref.kind);
    const result = this.store.create(
      kind.plural,
      makeDatabase(kind, ref.namespace, ref.name, fields, status ? { status } : {}),
    );
    if (!result.ok)
      throw new SimError(result.status.code === 409 ? 'already-exists' : 'invalid', result.status.message);
    return result.object;
  }

  /** getDatabase returns one database, or undefined. */
  getDatabase(ref: DatabaseRef): StoredObject | undefined {
    return this.store.get(this.#kind(ref.kind).plural, ref.namespace, ref.name);
  }

  /** listDatabases returns every database, or those of one kind, in key order. */
  listDatabases(kind?: string): StoredObject[] {
    const kinds = kind === undefined ? KUBEDB_KINDS : [this.#kind(kind)];
    return kinds.flatMap((k) => {
      const snapshot = this.store.snapshot(k.plural);
      if (snapshot === 'expired') return [];
      return snapshot.keys.flatMap((key) => {
        const object = snapshot.get(key);
        return object === undefined ? [] : [object];
      });
    });
  }

  /**
   * changeDatabase changes spec fields (raising the generation); with `converge` the operator's
   * status follows in the same write (observedGeneration = generation). Throws when absent.
   */
  changeDatabase(
    ref: DatabaseRef,
    change: DatabaseChange,
    options: { converge?: boolean } = {},
  ): StoredObject {
    const changed = this.#write(ref, (object) => applyChange(object, change));
    return options.converge ? this.#write(ref, converged) : changed;
  }

  /** setStatus sets status.phase and/or status.observedGeneration, as the KubeDB operator does. */
  setStatus(ref: DatabaseRef, status: DatabaseStatus): StoredObject {
    return this.#write(ref, (object) => applyStatus(object, status));
  }

  /** converge makes one database (or every one whose status lags) converged; returns how many changed. */
  converge(ref?: DatabaseRef): number {
    const refs = ref !== undefined ? [ref] : this.listDatabases().map(refOf);
    let changed = 0;
    for (const r of refs) {
      const before = this.store.revision;
      this.#write(r, converged);
      if (this.store.revision !== before) changed += 1;
    }
    return changed;
  }

  /** deleteDatabase deletes one database; false when it did not exist. */
  deleteDatabase(ref: DatabaseRef): boolean {
    return this.store.delete(this.#kind(ref.kind).plural, ref.namespace, ref.name).ok;
  }

  /**
   * injectDrift changes `count` random databases the way a hand edit on the cluster would (replicas
   * + 1, or a new storage size for every third one) and returns what it changed.
   */
  injectDrift(count: number, random: () => number = Math.random): DatabaseRef[] {
    const all = this.listDatabases();
    const picked: DatabaseRef[] = [];
    for (let i = 0; i < count && all.length > 0; i += 1) {
      const [object] = all.splice(Math.floor(random() * all.length), 1);
      if (object === undefined) break;
      const spec = object.spec as { replicas?: unknown } | undefined;
      const replicas = typeof spec?.replicas === 'number' ? spec.replicas : 1;
      const ref = refOf(object);
      this.changeDatabase(
        ref,
        i % 3 === 2 ? { storage: `${replicas * 10 + 5}Gi` } : { replicas: replicas + 1 },
      );
      picked.push(ref);
    }
    return picked;
  }

  /** malform makes one database malformed (see Defect). */
  malform(ref: DatabaseRef, defect: Defect): StoredObject {
    return this.#write(ref, (object) => applyDefect(object, defect));
  }

  /** injectFault activates a fault (see FaultSpec) and returns its id. */
  injectFault(spec: FaultSpec): number {
    this.#logger.info({ fault: spec }, 'fault injected');
    return this.#faults.inject(spec);
  }

  /** clearFaults removes one fault by id, or all of them. */
  clearFaults(id?: number): void {
    this.#faults.clear(id);
  }

  /** faults lists the active faults. */
  faults(): ActiveFault[] {
    return this.#faults.active();
  }

  /** dropWatches destroys every open watch connection mid-stream; returns how many. */
  dropWatches(): number {
    return this.#hub.closeAll('drop');
  }

  /** endWatches ends every open watch cleanly, as a server-side timeout does; returns how many. */
  endWatches(): number {
    return this.#hub.closeAll('end');
  }

  /** compactHistory drops the event history: watches and lists from any older revision get 410. */
  compactHistory(): void {
    this.store.compact();
  }

  /** releaseStalled lets every request held by a stall fault continue; returns how many. */
  releaseStalled(): number {
    return this.#stalls.releaseAll();
  }

  /** counters returns the request counters (by verb, by status, open watches). */
  counters(): RequestCounts {
    return this.#counters.snapshot(this.#hub.size);
  }

  /** resetCounters zeroes the request counters. */
  resetCounters(): void {
    this.#counters.reset();
  }

  /** stop closes every connection (watches, stalled requests, keep-alive) and the listener. */
  async stop(): Promise<void> {
    this.#hub.closeAll('drop');
    this.#hub.dispose();
    this.#stalls.destroyAll();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
    this.#logger.info('fleet-sim cluster stopped');
  }

  #kind(name: string): KubeDbKind {
    const kind = kindByName(name);
    if (kind === undefined) throw new SimError('unknown-kind', `fleet-sim serves no kind "${name}"`);
    return kind;
  }

  #write(ref: DatabaseRef, change: (object: KubeObject) => KubeObject): StoredObject {
    const kind = this.#kind(ref.kind);
    const existing = this.store.get(kind.plural, ref.namespace, ref.name);
    if (existing === undefined)
      throw new SimError('not-found', `${kind.plural} ${ref.namespace}/${ref.name} not found on ${this.id}`);
    const result = this.store.update(kind.plural, change(existing), 'control');
    if (!result.ok) throw new SimError('invalid', result.status.message);
    return result.object;
  }
}

/** refOf returns the DatabaseRef of an object. */
export function refOf(object: StoredObject): DatabaseRef {
  return { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
}
