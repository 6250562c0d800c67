import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import type { LocalComponent } from '../component.ts';
import type { StackConfig } from '../config/stack-config.ts';
import { mavenArtifacts } from '../maven/maven-artifacts.ts';
import { processMarker } from '../process/process-ownership.ts';
import { log4j2Properties, serverProperties } from './server-properties.ts';

const execFileAsync = promisify(execFile);

/**
 * newClusterId returns a random KRaft cluster id: 16 random bytes, base64url without padding
 * (22 characters), the format `kafka-storage random-uuid` prints. Like Kafka's own Uuid.randomUuid
 * it never starts with `-`: kafka-storage's argument parser would read such an id as an option
 * ("argument --cluster-id/-t: expected one argument"), failing 1 start in 64.
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * kafkaComponent is the real Apache Kafka broker (single combined KRaft node) launched straight from
 * the Maven jars as `java -cp <lib>/* kafka.Kafka server.properties`. On first start (or when the
 * controller port changed, which the formatted voter set remembers) it formats its log dir with a
 * new cluster id as a standalone controller. Ready = kafkajs describeCluster lists the broker.
 */
export function kafkaComponent(config: StackConfig): LocalComponent {
  const dir = path.join(config.stackDir, 'kafka');
  const dataDir = path.join(dir, 'data');
  const propertiesFile = path.join(dir, 'server.properties');
  const log4jFile = path.join(dir, 'log4j2.properties');
  const formatStamp = path.join(dir, 'format.json');
  const marker = processMarker('kafka', config.stackDir);
  const { port, controllerPort, heapMb } = config.kafka;
  const artifacts = mavenArtifacts(config.stackDir);
  const jvmArgs = [
    `-Xmx${heapMb}m`,
    `-Xms${Math.min(heapMb, 256)}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExitOnOutOfMemoryError',
    // Two cores: keep the JIT and GC from competing with the tests for them. C1 only (tier 1)
    // roughly halves the broker's start-up CPU; peak throughput does not matter on a dev stack.
    '-XX:TieredStopAtLevel=1',
    '-XX:CICompilerCount=1',
    '-XX:ParallelGCThreads=2',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jFile}`,
    `-Ddriftline.stack=${marker}`,
  ];

  return {
    name: 'kafka',
    port,
    endpoint: `127.0.0.1:${port}`,
    marker,
    needsJvm: true,
    startTimeoutMs: 90_000,
    async prepare() {
      await mkdir(dir, { recursive: true });
      await writeFile(propertiesFile, serverProperties({ port, controllerPort, logDir: dataDir }));
      await writeFile(log4jFile, log4j2Properties());
      const wanted = JSON.stringify({ controllerPort });
      const formatted = await readFile(formatStamp, 'utf8').catch(() => '');
      const hasMeta = await access(path.join(dataDir, 'meta.properties')).then(
        () => true,
        () => false,
      );
      if (hasMeta && formatted.trim() === wanted) return;
      await rm(dataDir, { recursive: true, force: true });
      await runStorageFormat(
        config.javaBin,
        [
          '-Xmx256m',
          `-Dlog4j2.configurationFile=${log4jFile}`,
          '-cp',
          artifacts.classPath,
          'kafka.tools.StorageTool',
          'format',
          '--config',
          propertiesFile,
          '--cluster-id',
          newClusterId(),
          '--standalone',
        ],
        dir,
      );
      await writeFile(formatStamp, `${wanted}\n`);
    },
    launch() {
      return {
        command: config.javaBin,
        args: [...jvmArgs, '-cp', artifacts.classPath, 'kafka.Kafka', propertiesFile],
        cwd: dir,
        logFile: path.join(config.stackDir, 'logs', 'kafka.log'),
      };
    },
    probe: () => probeKafka([`127.0.0.1:${port}`]),
  };
}

/** runStorageFormat runs `kafka-storage format`; on failure the error carries the tool's output. */
async function runStorageFormat(javaBin: string, args: string[], cwd: string): Promise<void> {
  try {
    await execFileAsync(javaBin, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    const output = `${stdout ?? ''}${stderr ?? ''}`.split('\n').slice(-30).join('\n');
    throw new Error(`formatting the Kafka log dir failed (kafka.tools.StorageTool format):\n${output}`, {
      cause: error,
    });
  }
}

/**
 * probeKafka is true when a kafkajs admin client can connect to `brokers` and describeCluster
 * returns at least one broker. Never throws; never retries (the caller polls).
 */
export async function probeKafka(brokers: readonly string[]): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'driftline-stack-probe',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
