export { createEventLoopMonitor } from './event-loop-monitor.ts';
export type { EventLoopMonitor } from './event-loop-monitor.ts';
export { createHealth } from './health.ts';
export type { Health, HealthOptions } from './health.ts';
export { livenessReport, readinessReport } from './health-report.ts';
export type { ComponentHealth, HealthReport } from './health-report.ts';
export { startOpsServer } from './ops-server.ts';
export type { OpsServer, OpsServerOptions } from './ops-server.ts';
