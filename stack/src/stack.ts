import { readFile } from 'node:fs/promises';
import type { LocalComponent } from './component.ts';
import type { ComponentName, StackConfig } from './config/stack-config.ts';
import { kafkaComponent, probeKafka } from './kafka/kafka-component.ts';
import { ensureMavenArtifacts } from './maven/maven-artifacts.ts';
import { mongoComponent, probeMongo } from './mongo/mongo-component.ts';
import { spawnDetached, stopOwnedProcess, type StopOutcome } from './process/detached-process.ts';
import { readPidRecord, removePidRecord, writePidRecord, type StartedBy } from './process/pid-file.ts';
import { withStackLock } from './process/stack-lock.ts';
import { liveTestRunLeases } from './process/test-run-lease.ts';
import { isOwnedProcess } from './process/process-ownership.ts';
import { isPortOpen, waitFor } from './readiness/wait-for.ts';
import { probeSchemaRegistry, schemaRegistryComponent } from './schema-registry/registry-component.ts';

/** StackEndpoints is what clients (and the integration tests) connect to. */
export interface StackEndpoints {
  readonly kafkaBrokers: string[];
  readonly schemaRegistryUrl: string;
  readonly mongoUrl: string;
}

/** Progress receives one human-readable line per step of `up`/`down`. */
export type Progress = (line: string) => void;

/** ComponentUpState says what `up` did for a component. */
export type ComponentUpState = 'started' | 'already-running' | 'external';

/** UpResult lists what `up` did per component and the endpoints to use. */
export interface UpResult {
  readonly components: readonly { readonly name: ComponentName; readonly state: ComponentUpState }[];
  readonly endpoints: StackEndpoints;
}

const OVERRIDE_VARIABLE: Record<ComponentName, string> = {
  kafka: 'KAFKA_BROKERS',
  mongo: 'MONGO_URL',
  'schema-registry': 'SCHEMA_REGISTRY_URL',
};

/** stackEndpoints returns the endpoints of a configuration (local or overridden). Pure. */
export function stackEndpoints(config: StackConfig): StackEndpoints {
  return {
    kafkaBrokers: [...config.kafka.brokers],
    schemaRegistryUrl: config.schemaRegistry.url,
    mongoUrl: config.mongo.url,
  };
}

function components(config: StackConfig): LocalComponent[] {
  return [kafkaComponent(config), mongoComponent(config), schemaRegistryComponent(config)];
}

function isExternal(config: StackConfig, name: ComponentName): boolean {
  if (name === 'kafka') return config.kafka.external;
  if (name === 'mongo') return config.mongo.external;
  return config.schemaRegistry.external;
}

function probeExternal(config: StackConfig, name: ComponentName): Promise<boolean> {
  if (name === 'kafka') return probeKafka(config.kafka.brokers);
  if (name === 'mongo') return probeMongo(config.mongo.url);
  return probeSchemaRegistry(config.schemaRegistry.url);
}

async function logTail(file: string, lines = 25): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').slice(-lines).join('\n');
}

interface Started {
  readonly component: LocalComponent;
  readonly pid: number;
  readonly exited: Promise<string>;
}

/**
 * upStack brings every non-overridden component up and waits until each answers a real request.
 * Idempotent: a component whose pid file names a live process of ours is reused as is. A port held
 * by a process the stack did not start is an error (it never adopts or kills foreign processes).
 * If any component fails, the processes started by THIS call are stopped again and the error
 * (with the log tail) is thrown; processes that were already running are left alone.
 * Serialised with other `up`/`down` calls by a lock file. `startedBy` is recorded in the pid files.
 */
export async function upStack(
  config: StackConfig,
  progress: Progress,
  startedBy: StartedBy = 'cli',
): Promise<UpResult> {
  return withStackLock(
    config.stackDir,
    () => upLocked(config, progress, startedBy),
    (holder) => progress(`waiting for another stack command (pid ${holder}) to finish`),
  );
}

async function upLocked(config: StackConfig, progress: Progress, startedBy: StartedBy): Promise<UpResult> {
  const states: { name: ComponentName; state: ComponentUpState }[] = [];
  const started: Started[] = [];
  const waits: Promise<void>[] = [];
  let mavenChecked = false;
  try {
    for (const component of components(config)) {
      const { name } = component;
      if (isExternal(config, name)) {
        progress(
          `${name}: using ${component.name === 'kafka' ? config.kafka.brokers.join(',') : component.endpoint} (${OVERRIDE_VARIABLE[name]} is set; not started)`,
        );
        const result = await waitFor(() => probeExternal(config, name), {
          timeoutMs: 15_000,
          intervalMs: 500,
        });
        if (result !== 'ready')
          throw new Error(
            `${name}: ${OVERRIDE_VARIABLE[name]} points at a service that does not answer (${result})`,
          );
        states.push({ name, state: 'external' });
        continue;
      }
      const record = await readPidRecord(config.stackDir, name);
      if (record !== null && (await isOwnedProcess(record.pid, component.marker))) {
        progress(`${name}: already running (pid ${record.pid}), checking health`);
        waits.push(awaitReady(component, record.pid, undefined, progress, config));
        states.push({ name, state: 'already-running' });
        continue;
      }
      await removePidRecord(config.stackDir, name);
      const ports = name === 'kafka' ? [component.port, config.kafka.controllerPort] : [component.port];
      for (const port of ports) {
        if (await isPortOpen('127.0.0.1', port)) {
          throw new Error(
            `${name}: port ${port} on 127.0.0.1 is already in use by a process this stack did not start. ` +
              `Stop it, choose another port, or set ${OVERRIDE_VARIABLE[name]} to use that service instead.`,
          );
        }
      }
      if (component.needsJvm && !mavenChecked) {
        progress('maven: checking the Kafka and mongo-java-server jars');
        const result = await ensureMavenArtifacts(config.repoDir, config.stackDir);
        progress(
          result === 'cached'
            ? 'maven: jars cached, nothing to download'
            : `maven: jars resolved into ${config.stackDir}/maven`,
        );
        mavenChecked = true;
      }
      progress(`${name}: preparing`);
      await component.prepare();
      const spec = component.launch();
      const child = await spawnDetached(spec);
      await writePidRecord(config.stackDir, name, {
        pid: child.pid,
        marker: component.marker,
        port: component.port,
        startedAtMs: Date.now(),
        startedBy,
      });
      started.push({ component, pid: child.pid, exited: child.exited });
      progress(`${name}: started pid ${child.pid} on 127.0.0.1:${component.port}, log ${spec.logFile}`);
      waits.push(awaitReady(component, child.pid, child.exited, progress, config));
      states.push({ name, state: 'started' });
    }
    await Promise.all(waits);
  } catch (error) {
    await Promise.allSettled(waits);
    for (const { component, pid } of started) {
      await stopOwnedProcess(pid, component.marker);
      await removePidRecord(config.stackDir, component.name);
    }
    throw error;
  }
  return { components: states, endpoints: stackEndpoints(config) };
}

async function awaitReady(
  component: LocalComponent,
  pid: number,
  exited: Promise<string> | undefined,
  progress: Progress,
  config: StackConfig,
): Promise<void> {
  const begin = Date.now();
  // Ready means OUR process answers: a probe alone could be answered by a stranger on the port.
  const probe = async (): Promise<boolean> =>
    (await isOwnedProcess(pid, component.marker)) && component.probe();
  const result = await waitFor(probe, {
    timeoutMs: component.startTimeoutMs,
    intervalMs: 500,
    ...(exited ? { abort: exited } : {}),
  });
  if (result === 'ready') {
    progress(
      `${component.name}: ready at ${component.endpoint} (pid ${pid}, ${((Date.now() - begin) / 1000).toFixed(1)} s)`,
    );
    return;
  }
  const logFile = component.launch().logFile;
  throw new Error(
    `${component.name}: not ready (${result === 'timeout' ? `no answer within ${component.startTimeoutMs} ms` : `process ended: ${result}`}). ` +
      `Last lines of ${logFile}:\n${await logTail(logFile)}\n(stack folder: ${config.stackDir})`,
  );
}

/** DownOptions narrows what `down` stops. */
export interface DownOptions {
  /** only stops just these components. */
  readonly only?: readonly ComponentName[];
  /** startedBy stops just the processes started that way (a test run never stops a human's stack). */
  readonly startedBy?: StartedBy;
  /** unlessTestRunsActive leaves everything running while another live test run holds a lease. */
  readonly unlessTestRunsActive?: boolean;
}

/**
 * downStack stops the processes the stack started, each by the pid in its pid file and only if
 * that pid still carries the component's marker; SIGTERM first, SIGKILL after a bound.
 * Overridden components are never touched. Serialised with `up` by the lock file.
 * Returns the outcome per component considered.
 */
export async function downStack(
  config: StackConfig,
  progress: Progress,
  options: DownOptions = {},
): Promise<{ name: ComponentName; outcome: StopOutcome }[]> {
  return withStackLock(config.stackDir, async () => {
    if (options.unlessTestRunsActive) {
      const active = await liveTestRunLeases(config.stackDir);
      if (active > 0) {
        progress(`leaving the stack running: ${active} other test run(s) still use it`);
        return [];
      }
    }
    const outcomes: { name: ComponentName; outcome: StopOutcome }[] = [];
    // Reverse start order: the registry and Mongo first, the broker last.
    for (const component of components(config).reverse()) {
      const { name } = component;
      if (options.only && !options.only.includes(name)) continue;
      if (isExternal(config, name)) {
        // Say so: with KAFKA_BROKERS / SCHEMA_REGISTRY_URL / MONGO_URL set, a silent no-op looked
        // like a stop while the locally started process kept running.
        progress(`${name}: external (${OVERRIDE_VARIABLE[name]} is set), left alone`);
        continue;
      }
      const record = await readPidRecord(config.stackDir, name);
      if (record === null) {
        outcomes.push({ name, outcome: 'not-running' });
        progress(`${name}: not running`);
        continue;
      }
      if (options.startedBy && record.startedBy !== options.startedBy) {
        progress(`${name}: leaving pid ${record.pid} running (started by ${record.startedBy})`);
        continue;
      }
      progress(`${name}: stopping pid ${record.pid}`);
      const outcome = await stopOwnedProcess(record.pid, component.marker);
      if (outcome !== 'survived') await removePidRecord(config.stackDir, name);
      outcomes.push({ name, outcome });
      progress(`${name}: ${outcome}`);
    }
    return outcomes;
  });
}

/** ComponentStatus is one line of `status`. */
export interface ComponentStatus {
  readonly name: ComponentName;
  readonly external: boolean;
  readonly pid: number | null;
  readonly port: number;
  readonly endpoint: string;
  readonly healthy: boolean;
}

/** stackStatus reports each component: who runs it, its pid (if ours and alive), and whether it answers. */
export async function stackStatus(config: StackConfig): Promise<ComponentStatus[]> {
  return Promise.all(
    components(config).map(async (component) => {
      const external = isExternal(config, component.name);
      const record = external ? null : await readPidRecord(config.stackDir, component.name);
      const alive = record !== null && (await isOwnedProcess(record.pid, component.marker));
      const healthy = await (external ? probeExternal(config, component.name) : component.probe());
      return {
        name: component.name,
        external,
        pid: alive ? record.pid : null,
        port: component.port,
        endpoint: component.name === 'kafka' ? config.kafka.brokers.join(',') : component.endpoint,
        healthy,
      };
    }),
  );
}
