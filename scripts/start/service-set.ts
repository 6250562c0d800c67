import type { PipelineSettings } from './pipeline-settings.ts';
import { serviceEnv } from './pipeline-settings.ts';
import { waitForReady } from './readiness.ts';
import {
  SERVICE_NAMES,
  startServiceProcess,
  type ServiceName,
  type ServiceProcess,
} from './service-process.ts';

/**
 * ServiceSet runs the four services of one pipeline as child processes. `start` launches one
 * (or all, sources first) and waits for its /readyz; `kill` is a crash (SIGKILL); `stopAll` stops
 * every running one gracefully in start order (desired, watcher, reconciler, sink), so what an
 * upstream service publishes while it drains can still be consumed downstream before the sink goes.
 */
export class ServiceSet {
  readonly #settings: PipelineSettings;
  readonly #logDir: string;
  readonly #running = new Map<ServiceName, ServiceProcess>();

  constructor(settings: PipelineSettings, logDir: string) {
    this.#settings = settings;
    this.#logDir = logDir;
  }

  /** get returns the running process of a service, or undefined. */
  get(name: ServiceName): ServiceProcess | undefined {
    const p = this.#running.get(name);
    return p?.running() ? p : undefined;
  }

  /** start launches `name` (a no-op when it runs) and resolves once it is ready. */
  async start(name: ServiceName, readyTimeoutMs?: number): Promise<ServiceProcess> {
    const existing = this.get(name);
    if (existing !== undefined) return existing;
    const process = startServiceProcess(name, serviceEnv(name, this.#settings), this.#logDir);
    this.#running.set(name, process);
    await waitForReady(process, this.#settings.ports[name], readyTimeoutMs);
    return process;
  }

  /** startAll launches every service in SERVICE_NAMES order, each once the previous is ready. */
  async startAll(onStarted?: (p: ServiceProcess) => void): Promise<void> {
    for (const name of SERVICE_NAMES) {
      const started = await this.start(name);
      onStarted?.(started);
    }
  }

  /** kill SIGKILLs `name` (a crash: nothing drains, nothing commits) and waits for it to be gone. */
  async kill(name: ServiceName): Promise<void> {
    await this.#running.get(name)?.kill();
    this.#running.delete(name);
  }

  /** stop stops `name` gracefully (SIGTERM, SIGKILL after the grace). */
  async stop(name: ServiceName): Promise<void> {
    await this.#running.get(name)?.stop();
    this.#running.delete(name);
  }

  /** stopAll stops every running service, upstream first, and waits for each to exit. */
  async stopAll(): Promise<void> {
    for (const name of SERVICE_NAMES) await this.stop(name);
  }

  /** processes lists the services currently running. */
  processes(): ServiceProcess[] {
    return [...this.#running.values()].filter((p) => p.running());
  }
}
