import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { LocalComponent } from '../component.ts';
import type { StackConfig } from '../config/stack-config.ts';
import { log4j2Properties } from '../kafka/server-properties.ts';
import { mavenArtifacts } from '../maven/maven-artifacts.ts';
import { processMarker } from '../process/process-ownership.ts';
import { mkdir, writeFile } from 'node:fs/promises';

/**
 * mongoComponent is de.bwaldvogel:mongo-java-server (in-memory, oplog enabled) started by the
 * launcher in stack/java. Its data lives in memory only: `down` then `up` starts empty.
 * Ready = the official driver's `ping` succeeds.
 */
export function mongoComponent(config: StackConfig): LocalComponent {
  const dir = path.join(config.stackDir, 'mongo');
  const log4jFile = path.join(dir, 'log4j2.properties');
  const marker = processMarker('mongo', config.stackDir);
  const { port, heapMb } = config.mongo;
  const artifacts = mavenArtifacts(config.stackDir);
  return {
    name: 'mongo',
    port,
    endpoint: config.mongo.url,
    marker,
    needsJvm: true,
    startTimeoutMs: 60_000,
    async prepare() {
      await mkdir(dir, { recursive: true });
      await writeFile(log4jFile, log4j2Properties());
    },
    launch() {
      return {
        command: config.javaBin,
        args: [
          `-Xmx${heapMb}m`,
          // The whole heap from the start: the server's data only grows (documents and oplog
          // entries live until dropped or rolled over), so a heap that starts small grows through
          // repeated full collections — profiled at 100,000 inserts: 27 pauses, ~16–27 s, against
          // 6 young pauses once the heap is sized up front. Pages are touched only when used.
          `-Xms${heapMb}m`,
          '-XX:+UseSerialGC',
          // A small young generation: every document and oplog entry the server holds survives its
          // first collection, so a young pause copies what was inserted since the last one, and its
          // length grows with the young generation's size. The default (a third of the heap) paused
          // 0.7–1.4 s every few seconds under 5,000 inserts/s, stalling every change stream in
          // flight; at 32 MB their median is about 35 ms and few exceed 100 ms on the shared 2-core
          // development machine, for about the same total GC time (see docs/benchmarks.md, desired).
          '-Xmn32m',
          // Every pause with its length: the server's collections are what shows in live p99s.
          `-Xlog:gc:file=${path.join(config.stackDir, 'logs', 'mongo-gc.log')}`,
          '-XX:TieredStopAtLevel=1',
          '-XX:+ExitOnOutOfMemoryError',
          `-Dlog4j2.configurationFile=${log4jFile}`,
          '-cp',
          artifacts.classPath,
          'dev.driftline.stack.MongoServerLauncher',
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--oplog-max-entries',
          String(config.mongo.oplogMaxEntries),
          '--marker',
          marker,
        ],
        cwd: dir,
        logFile: path.join(config.stackDir, 'logs', 'mongo.log'),
      };
    },
    probe: () => probeMongo(config.mongo.url),
  };
}

/** probeMongo is true when the official driver connects to `url` and `ping` answers ok. Never throws. */
export async function probeMongo(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1_500, connectTimeoutMS: 1_500 });
  try {
    await client.connect();
    const reply = await client.db('admin').command({ ping: 1 });
    return reply['ok'] === 1;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}
