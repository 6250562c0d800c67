import type { TestProject } from 'vitest/node';
import { downStack, loadStackConfig, repoDir, upStack, type ComponentName } from '../stack/src/index.ts';
import type { StackEndpoints } from './support/stack.ts';

/**
 * The integration tier's global setup: brings the local stack up once per run and provides its
 * endpoints as `inject('stack')` (read them with `stackEndpoints()` from ./support/stack.ts).
 *
 * - A stack that is already up (e.g. `npm run stack -- up` in another terminal) is reused and left
 *   running afterwards; only components this run started are stopped in the teardown.
 * - KAFKA_BROKERS / SCHEMA_REGISTRY_URL / MONGO_URL use existing services instead.
 * - A stack that cannot start fails the whole run loudly — with CI=true or not, tests never skip.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const say = (line: string): void => console.log(`[global-setup] ${line}`);
  say(`node ${process.version} (${process.execPath}), CI=${process.env['CI'] ?? 'unset'}`);
  const config = loadStackConfig(process.env, repoDir);
  let started: ComponentName[] = [];
  try {
    const result = await upStack(config, say);
    started = result.components.filter((c) => c.state === 'started').map((c) => c.name);
    const endpoints: StackEndpoints = result.endpoints;
    project.provide('stack', endpoints);
    say(
      `stack ready: kafka ${endpoints.kafkaBrokers.join(',')}, registry ${endpoints.schemaRegistryUrl}, mongo ${endpoints.mongoUrl}`,
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `The local stack could not be started, so integration tests cannot run${process.env['CI'] === 'true' ? ' (CI=true: failing, not skipping)' : ''}.\n` +
        `${reason}\nSee docs/local-stack.md (needs Java 17+ and Maven, or KAFKA_BROKERS / SCHEMA_REGISTRY_URL / MONGO_URL).`,
      { cause: error },
    );
  }
  return async () => {
    if (started.length === 0) {
      say('leaving the stack running: this run did not start it');
      return;
    }
    say(`stopping what this run started: ${started.join(', ')}`);
    await downStack(config, say, started);
  };
}
