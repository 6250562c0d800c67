import type { TestProject } from 'vitest/node';
import {
  downStack,
  loadStackConfig,
  releaseTestRunLease,
  repoDir,
  takeTestRunLease,
  upStack,
} from '../stack/src/index.ts';
import type { StackEndpoints } from './support/stack.ts';

/**
 * The integration tier's global setup: brings the local stack up once per run and provides its
 * endpoints as `inject('stack')` (read them with `stackEndpoints()` from ./support/stack.ts).
 *
 * - A stack that is already up (e.g. `npm run stack -- up` in another terminal) is reused and left
 *   running afterwards: the teardown stops only components started by test runs, and only when no
 *   other test run (another terminal, another worktree user) still holds a lease on the stack.
 * - KAFKA_BROKERS / SCHEMA_REGISTRY_URL / MONGO_URL use existing services instead.
 * - A stack that cannot start fails the whole run loudly — with CI=true or not, tests never skip.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const say = (line: string): void => console.log(`[global-setup] ${line}`);
  say(`node ${process.version} (${process.execPath}), CI=${process.env['CI'] ?? 'unset'}`);
  const config = loadStackConfig(process.env, repoDir);
  await takeTestRunLease(config.stackDir);
  try {
    const result = await upStack(config, say, 'test-run');
    const endpoints: StackEndpoints = result.endpoints;
    project.provide('stack', endpoints);
    say(
      `stack ready: kafka ${endpoints.kafkaBrokers.join(',')}, registry ${endpoints.schemaRegistryUrl}, mongo ${endpoints.mongoUrl}`,
    );
  } catch (error) {
    await releaseTestRunLease(config.stackDir);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `The local stack could not be started, so integration tests cannot run${process.env['CI'] === 'true' ? ' (CI=true: failing, not skipping)' : ''}.\n` +
        `${reason}\nSee docs/local-stack.md (needs Java 17+ and Maven, or KAFKA_BROKERS / SCHEMA_REGISTRY_URL / MONGO_URL).`,
      { cause: error },
    );
  }
  return async () => {
    await releaseTestRunLease(config.stackDir);
    await downStack(config, say, { startedBy: 'test-run', unlessTestRunsActive: true });
  };
}
