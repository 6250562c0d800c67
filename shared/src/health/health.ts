import type { Lifecycle } from '../lifecycle/index.ts';
import type { EventLoopMonitor } from './event-loop-monitor.ts';
import { livenessReport, readinessReport, type HealthReport } from './health-report.ts';

/** Health answers the two probes. */
export interface Health {
  /** readiness backs `/readyz`: may this instance take traffic / own partitions now? */
  readiness(): HealthReport;
  /** liveness backs `/healthz`: should the orchestrator restart this process? */
  liveness(): HealthReport;
}

/** HealthOptions wire `createHealth`. */
export interface HealthOptions {
  readonly lifecycle: Lifecycle;
  /** Without one, liveness only looks at component states. */
  readonly eventLoop?: EventLoopMonitor;
  /** Event-loop lag past which the process counts as hung. */
  readonly maxEventLoopLagMs?: number;
}

// A healthy Node process lags a few ms; seconds mean a CPU-bound loop or a sync call gone wrong.
const defaultMaxEventLoopLagMs = 5_000;

/** createHealth derives readiness and liveness from the lifecycle's components and the event loop. */
export function createHealth(options: HealthOptions): Health {
  const maxLagMs = options.maxEventLoopLagMs ?? defaultMaxEventLoopLagMs;
  return {
    readiness: () => readinessReport(options.lifecycle.snapshot(), options.lifecycle.clock.now()),
    liveness: () =>
      livenessReport(options.lifecycle.snapshot(), options.lifecycle.clock.now(), {
        lagMs: options.eventLoop?.lagMs() ?? 0,
        maxLagMs,
      }),
  };
}
