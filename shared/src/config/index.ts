export { configTableMarkers, renderConfigTable, replaceConfigSection } from './config-table.ts';
export { defineConfig } from './define-config.ts';
export type { Config, ConfigCheck, ConfigSchema, ConfigShape, DeepReadonly } from './define-config.ts';
export { describeConfig } from './describe-config.ts';
export {
  fragmentChecks,
  kafkaConfigShape,
  loggingConfigShape,
  mongoConfigShape,
  opsServerConfigShape,
  schemaRegistryConfigShape,
  topicsConfigShape,
} from './fragments.ts';
export { loadConfig } from './load-config.ts';
export {
  conventionViolations,
  describeVariable,
  required,
  secret,
  unitSuffixes,
  variable,
} from './variable.ts';
export type { VariableDescription, VariableType } from './variable.ts';
