import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { MongoClient, MongoServerError, type ResumeToken } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMavenArtifacts, loadStackConfig, mavenArtifacts, repoDir } from '../stack/src/index.ts';

const OPLOG_MAX_ENTRIES = 20;

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

// The shared stack's oplog is capped high (MONGO_OPLOG_MAX_ENTRIES, 100000), so this test starts
// its own Mongo-compatible server with a tiny cap (and stops it): resuming from a token whose
// oplog entries were truncated must fail with 286 ChangeStreamHistoryLost, as on a replica set.
describe('change streams after oplog roll-over', () => {
  let server: ChildProcess;
  let client: MongoClient;

  beforeAll(async () => {
    const config = loadStackConfig(process.env, repoDir);
    await ensureMavenArtifacts(config.repoDir, config.stackDir);
    const port = await freePort();
    server = spawn(
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
        '--oplog-max-entries',
        String(OPLOG_MAX_ENTRIES),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    await new Promise<void>((resolve, reject) => {
      server.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('READY')) resolve();
      });
      server.once('exit', (code) =>
        reject(new Error(`mongo server exited (${code}) before READY:\n${output}`)),
      );
    });
    client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, {
      serverSelectionTimeoutMS: 10_000,
    });
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    if (server && server.exitCode === null) {
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      await exited;
    }
  });

  it('fails a resume from a truncated position with 286, while a token still in the oplog resumes', async () => {
    const collection = client.db('rollover').collection<{ _id: number }>('databases');
    const stream = collection.watch([], { maxAwaitTimeMS: 200 });
    expect(await stream.tryNext()).toBeNull();
    await collection.insertOne({ _id: 0 });
    let first = null;
    while (first === null) first = await stream.tryNext();
    const oldToken: ResumeToken = stream.resumeToken;
    await stream.close();

    // Enough writes to push the first entry out of the capped oplog.
    for (let i = 1; i <= OPLOG_MAX_ENTRIES * 2; i += 1) await collection.insertOne({ _id: i });

    const resumed = collection.watch([], { resumeAfter: oldToken });
    const error = await resumed.tryNext().then(
      () => null,
      (e: unknown) => e,
    );
    await resumed.close();
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({ code: 286, codeName: 'ChangeStreamHistoryLost' });

    // A token of a recent change is still resumable.
    const recent = collection.watch([], { maxAwaitTimeMS: 200 });
    expect(await recent.tryNext()).toBeNull();
    await collection.insertOne({ _id: 1000 });
    let marker = null;
    while (marker === null) marker = await recent.tryNext();
    const recentToken: ResumeToken = recent.resumeToken;
    await recent.close();
    await collection.insertOne({ _id: 1001 });
    const again = collection.watch([], { resumeAfter: recentToken, maxAwaitTimeMS: 200 });
    let next = null;
    while (next === null) next = await again.tryNext();
    await again.close();
    expect(next).toMatchObject({ operationType: 'insert', documentKey: { _id: 1001 } });
  });
});
