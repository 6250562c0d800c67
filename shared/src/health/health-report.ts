import type { ComponentSnapshot } from '../lifecycle/index.ts';

/** ComponentHealth is one component's line in a health report. */
export interface ComponentHealth {
  readonly name: string;
  readonly state: ComponentSnapshot['state'];
  /** Milliseconds since its last progress; null before any. */
  readonly progressAgeMs: number | null;
  readonly maxProgressAgeMs: number | null;
  readonly ok: boolean;
  readonly reason: string | null;
}

/** HealthReport is the JSON body of `/readyz` and `/healthz`; `ok` decides 200 or 503. */
export interface HealthReport {
  readonly ok: boolean;
  readonly status: 'ok' | 'unavailable';
  readonly components: readonly ComponentHealth[];
  /** Event-loop lag last measured (liveness only). */
  readonly eventLoopLagMs?: number;
  /** Why the whole report is not ok beyond its components, if so. */
  readonly problems: readonly string[];
}

function line(snapshot: ComponentSnapshot, now: number, ok: boolean): ComponentHealth {
  return {
    name: snapshot.name,
    state: snapshot.state,
    progressAgeMs: snapshot.lastProgressAt === null ? null : Math.max(0, now - snapshot.lastProgressAt),
    maxProgressAgeMs: snapshot.maxProgressAgeMs ?? null,
    ok,
    reason: snapshot.reason ?? null,
  };
}

function isFresh(snapshot: ComponentSnapshot, now: number): boolean {
  if (snapshot.maxProgressAgeMs === undefined) return true;
  return snapshot.lastProgressAt !== null && now - snapshot.lastProgressAt <= snapshot.maxProgressAgeMs;
}

function report(components: ComponentHealth[], problems: string[], eventLoopLagMs?: number): HealthReport {
  const ok = problems.length === 0 && components.every((component) => component.ok);
  return {
    ok,
    status: ok ? 'ok' : 'unavailable',
    components,
    problems,
    ...(eventLoopLagMs === undefined ? {} : { eventLoopLagMs }),
  };
}

/**
 * readinessReport: ready when there is at least one component and every component is `running`
 * with progress no older than its `maxProgressAgeMs`. A stuck watch or a consumer that stopped
 * polling therefore turns readiness red even though its state still says running.
 */
export function readinessReport(snapshots: readonly ComponentSnapshot[], now: number): HealthReport {
  const components = snapshots.map((snapshot) =>
    line(snapshot, now, snapshot.state === 'running' && isFresh(snapshot, now)),
  );
  return report(components, snapshots.length === 0 ? ['no component registered'] : []);
}

/**
 * livenessReport: live when no component has `failed` and the event loop's lag is within
 * `maxEventLoopLagMs`. Staleness is readiness's business: restarting a process because a
 * dependency is slow only adds load.
 */
export function livenessReport(
  snapshots: readonly ComponentSnapshot[],
  now: number,
  eventLoop: { lagMs: number; maxLagMs: number },
): HealthReport {
  const components = snapshots.map((snapshot) => line(snapshot, now, snapshot.state !== 'failed'));
  const problems =
    eventLoop.lagMs > eventLoop.maxLagMs
      ? [`event loop lag ${eventLoop.lagMs}ms exceeds ${eventLoop.maxLagMs}ms`]
      : [];
  return report(components, problems, eventLoop.lagMs);
}
