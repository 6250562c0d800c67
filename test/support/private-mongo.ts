import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { ensureMavenArtifacts, loadStackConfig, mavenArtifacts, repoDir } from '../../stack/src/index.ts';

/** freePort asks the OS for a loopback port nothing listens on (for a server a test starts later). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** PrivateMongo is a Mongo-compatible server only one test uses; `stop` ends it and waits. */
export interface PrivateMongo {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * startPrivateMongo runs the stack's own mongo-java-server launcher (from the stack's state folder,
 * DRIFTLINE_STACK_DIR as the stack resolves it) on `port`, for a test that needs a server of its own
 * (one it stops, or one with a tiny oplog), and resolves once it prints READY.
 */
export async function startPrivateMongo(
  port: number,
  options: { readonly oplogMaxEntries?: number } = {},
): Promise<PrivateMongo> {
  const config = loadStackConfig(process.env, repoDir);
  await ensureMavenArtifacts(config.repoDir, config.stackDir);
  const child = spawn(
    config.javaBin,
    [
      '-Xmx128m',
      '-XX:TieredStopAtLevel=1',
      '-Dlog4j2.level=warn',
      '-cp',
      mavenArtifacts(config.stackDir).classPath,
      'dev.driftline.stack.MongoServerLauncher',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      ...(options.oplogMaxEntries === undefined
        ? []
        : ['--oplog-max-entries', String(options.oplogMaxEntries)]),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('READY')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`mongo server exited (${code}) before READY:\n${output}`)));
  });
  return {
    url: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
