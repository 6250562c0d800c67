export { startControlServer, CONTROL_ROUTES } from './control-api.ts';
export type { ControlServer } from './control-api.ts';
export { manualClock, systemClock } from './clock.ts';
export type { Clock } from './clock.ts';
export { REQUEST_VERBS } from './faults.ts';
export type { ActiveFault, FaultSpec, RequestVerb } from './faults.ts';
export { Fleet } from './fleet.ts';
export type { FleetOptions } from './fleet.ts';
export {
  KUBEDB_API_VERSION,
  KUBEDB_GROUP,
  KUBEDB_KINDS,
  KUBEDB_VERSION,
  kindByName,
  kindByPlural,
} from './kinds.ts';
export type { KubeDbKind } from './kinds.ts';
export { buildKubeconfig, kubeconfigYaml } from './kubeconfig.ts';
export type { Kubeconfig, KubeconfigInput } from './kubeconfig.ts';
export type { KubeObject, ObjectMeta } from './kube-object.ts';
export { DATABASE_DEFAULTS, DEFECTS, makeDatabase } from './kubedb-object.ts';
export type { DatabaseChange, DatabasePhase, DatabaseStatus, Defect } from './kubedb-object.ts';
export type { RequestCounts } from './request-counters.ts';
export { DEFAULT_NAMESPACES, SimCluster, refOf } from './sim-cluster.ts';
export type { DatabaseRef, SeedOptions, SimClusterOptions } from './sim-cluster.ts';
export { SimError } from './sim-error.ts';
export type { SimErrorCode } from './sim-error.ts';
export { CHANGED_AT_ANNOTATION } from './store.ts';
export { INITIAL_EVENTS_END_ANNOTATION } from './watch-handler.ts';
