export {
  COMPONENT_NAMES,
  loadStackConfig,
  parseBrokers,
  parsePort,
  StackConfigError,
} from './config/stack-config.ts';
export type { ComponentName, StackConfig, StackEnv } from './config/stack-config.ts';
export { downStack, stackEndpoints, stackStatus, upStack } from './stack.ts';
export type {
  ComponentStatus,
  ComponentUpState,
  DownOptions,
  Progress,
  StackEndpoints,
  UpResult,
} from './stack.ts';
export type { StartedBy } from './process/pid-file.ts';
export { releaseTestRunLease, takeTestRunLease } from './process/test-run-lease.ts';
export { ensureMavenArtifacts, mavenArtifacts } from './maven/maven-artifacts.ts';
export { repoDir } from './repo-dir.ts';
