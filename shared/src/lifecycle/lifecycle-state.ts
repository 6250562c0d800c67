/**
 * LifecycleState is where a component is in its life: `starting` (connecting, joining a group,
 * listing), `running` (doing useful work), `draining` (finishing in-flight work before exit),
 * `stopped` (done, cleanly) or `failed` (broken beyond its own recovery).
 */
export type LifecycleState = 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

/**
 * lifecycleTransitions lists the states each state may move to. `running → starting` is allowed
 * because a component that reconnects, relists or rebalances is not ready meanwhile; `stopped`
 * and `failed` are terminal: a component that must come back is a new component.
 */
export const lifecycleTransitions = {
  starting: ['running', 'draining', 'stopped', 'failed'],
  running: ['starting', 'draining', 'stopped', 'failed'],
  draining: ['stopped', 'failed'],
  stopped: [],
  failed: [],
} as const satisfies Record<LifecycleState, readonly LifecycleState[]>;

/** canTransition tells whether `from → to` is a legal move (staying put is always allowed). */
export function canTransition(from: LifecycleState, to: LifecycleState): boolean {
  return from === to || (lifecycleTransitions[from] as readonly LifecycleState[]).includes(to);
}
