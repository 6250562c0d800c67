export { CIRCUIT_STATES, DRIFT_STATUSES, KEY_STATUSES, OPERATION_TYPES, REMEDIATIONS } from './records.ts';
export type {
  CircuitState,
  DeadLetter,
  DesiredDatabase,
  DriftEvent,
  DriftProvenance,
  DriftStatus,
  EncryptedCredentials,
  FieldDifference,
  KeyStatus,
  ObservedDatabase,
  Operation,
  OperationSpec,
  OperationType,
  ProviderHealth,
  ProviderRecord,
  Remediation,
  ResourceSpec,
} from './records.ts';
export { topicContracts, topicIds } from './topic-contracts.ts';
export type { KeyFormat, TopicContract, TopicId, TopicValues } from './topic-contracts.ts';
export { createCodec, loadSchemas, readSchemaText, schemasDir } from './codec.ts';
export type { SchemaSet, TopicCodec } from './codec.ts';
export { checkBackward } from './compat.ts';
export type { CompatProblem, CompatResult } from './compat.ts';
