export {
  loadStackConfig,
  parseBrokers,
  parsePort,
  StackConfigError,
  COMPONENT_NAMES,
} from './config/stack-config.ts';
export type { ComponentName, StackConfig, StackEnv } from './config/stack-config.ts';
export { downStack, stackEndpoints, stackStatus, upStack } from './stack.ts';
export type { ComponentStatus, ComponentUpState, Progress, StackEndpoints, UpResult } from './stack.ts';
export { ensureMavenArtifacts } from './maven/maven-artifacts.ts';
export { repoDir } from './repo-dir.ts';
