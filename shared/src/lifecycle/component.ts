import type { Clock } from '../resilience/index.ts';
import { canTransition, type LifecycleState } from './lifecycle-state.ts';

/** ComponentSnapshot is one component's state as health checks read it. */
export interface ComponentSnapshot {
  readonly name: string;
  readonly state: LifecycleState;
  /** Epoch ms of the last useful work (a poll, a watch event, a bookmark); null before any. */
  readonly lastProgressAt: number | null;
  /** Progress older than this makes the component not ready; undefined: never stale. */
  readonly maxProgressAgeMs: number | undefined;
  /** Why it last changed state (`failed` carries the error message), if it said. */
  readonly reason: string | undefined;
}

/** Component is one part of a service with its own lifecycle (a consumer, a watch, a sink). */
export interface Component {
  readonly name: string;
  readonly state: LifecycleState;
  /**
   * transition moves to `to`. An illegal move (see `lifecycleTransitions`) throws a RangeError:
   * it is a wiring bug. Entering `running` counts as progress.
   */
  transition(to: LifecycleState, reason?: string): void;
  /** progress records useful work now; call it on every successful poll, watch event or write. */
  progress(): void;
  snapshot(): ComponentSnapshot;
}

/** ComponentOptions configure a `Component`. */
export interface ComponentOptions {
  readonly name: string;
  readonly maxProgressAgeMs?: number;
  readonly clock: Clock;
  readonly onChange?: (snapshot: ComponentSnapshot) => void;
}

/** createComponent returns a `Component` in state `starting` with no progress yet. */
export function createComponent(options: ComponentOptions): Component {
  let state: LifecycleState = 'starting';
  let lastProgressAt: number | null = null;
  let reason: string | undefined;
  const snapshot = (): ComponentSnapshot => ({
    name: options.name,
    state,
    lastProgressAt,
    maxProgressAgeMs: options.maxProgressAgeMs,
    reason,
  });
  return {
    name: options.name,
    get state() {
      return state;
    },
    transition(to, why) {
      if (!canTransition(state, to)) {
        throw new RangeError(`component ${options.name}: illegal transition ${state} → ${to}`);
      }
      if (to === 'running') lastProgressAt = options.clock.now();
      const changed = to !== state;
      state = to;
      reason = why;
      if (changed) options.onChange?.(snapshot());
    },
    progress() {
      lastProgressAt = options.clock.now();
    },
    snapshot,
  };
}
