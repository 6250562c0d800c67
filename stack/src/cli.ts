import { loadStackConfig, type StackConfig } from './config/stack-config.ts';
import { ensureMavenArtifacts } from './maven/maven-artifacts.ts';
import { withStackLock } from './process/stack-lock.ts';
import { repoDir } from './repo-dir.ts';
import { downStack, stackStatus, upStack } from './stack.ts';

/**
 * The local stack's command line (DEV/TEST ONLY): `npm run stack -- up|down|status|fetch`.
 * Exit code 0 on success, 1 on failure, 2 on usage errors. See docs/local-stack.md.
 */
const USAGE = `usage: npm run stack -- <command>
  up      start Kafka (KRaft), the Mongo-compatible server and the schema registry on 127.0.0.1
          (idempotent: what already runs is reused) and wait until each answers
  down    stop what 'up' started (by pid; nothing else)
  status  show each component, its pid, port and health
  fetch   resolve the Maven artifacts only (for CI's install step)
env: KAFKA_PORT (9092) KAFKA_CONTROLLER_PORT (9093) SCHEMA_REGISTRY_PORT (8081) MONGO_PORT (27017)
     KAFKA_BROKERS / SCHEMA_REGISTRY_URL / MONGO_URL use an existing service instead of starting one
     KAFKA_HEAP_MB (512) MONGO_HEAP_MB (2048) MONGO_OPLOG_MAX_ENTRIES (100000; 0 = unbounded)
     DRIFTLINE_STACK_DIR (.stack) JAVA_HOME MVN`;

const say = (line: string): void => console.log(`[stack] ${line}`);

async function run(command: string | undefined, config: StackConfig): Promise<number> {
  switch (command) {
    case 'fetch': {
      say('maven: resolving artifacts (downloads go to ~/.m2)');
      // Under the stack lock: an `up` starting JVMs must not see the jar folder half rebuilt.
      const result = await withStackLock(config.stackDir, () =>
        ensureMavenArtifacts(config.repoDir, config.stackDir),
      );
      say(result === 'cached' ? 'maven: already resolved, nothing to do' : 'maven: resolved');
      return 0;
    }
    case 'up': {
      const result = await upStack(config, say);
      const started = result.components.filter((c) => c.state === 'started').length;
      say(started === 0 ? 'stack is up (nothing had to start)' : 'stack is up');
      say(`KAFKA_BROKERS=${result.endpoints.kafkaBrokers.join(',')}`);
      say(`SCHEMA_REGISTRY_URL=${result.endpoints.schemaRegistryUrl}`);
      say(`MONGO_URL=${result.endpoints.mongoUrl}`);
      return 0;
    }
    case 'down': {
      const outcomes = await downStack(config, say);
      return outcomes.some((o) => o.outcome === 'survived') ? 1 : 0;
    }
    case 'status': {
      const statuses = await stackStatus(config);
      for (const s of statuses) {
        const owner = s.external ? 'external' : s.pid === null ? 'not running' : `pid ${s.pid}`;
        console.log(
          `${s.name.padEnd(16)} ${owner.padEnd(12)} ${s.endpoint.padEnd(48)} ${s.healthy ? 'healthy' : 'NOT healthy'}`,
        );
      }
      return statuses.every((s) => s.healthy) ? 0 : 1;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

try {
  const config = loadStackConfig(process.env, repoDir);
  process.exitCode = await run(process.argv[2], config);
} catch (error) {
  console.error(`[stack] ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
