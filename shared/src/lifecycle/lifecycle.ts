import { systemClock, type Clock } from '../resilience/index.ts';
import { createComponent, type Component, type ComponentSnapshot } from './component.ts';

/** Lifecycle is the registry of a service's components, read by `/readyz` and `/healthz`. */
export interface Lifecycle {
  /**
   * component registers a new component named `name` (unique: a duplicate throws a RangeError)
   * in state `starting`. `maxProgressAgeMs` is how long it may go without progress while
   * running before readiness fails (a stuck watch, a consumer that stopped polling).
   */
  component(name: string, options?: { maxProgressAgeMs?: number }): Component;
  /** snapshot is every component's state, in registration order. */
  snapshot(): ComponentSnapshot[];
  /** onChange calls `listener` after every state change of any component. */
  onChange(listener: (snapshot: ComponentSnapshot) => void): { dispose(): void };
  readonly clock: Clock;
}

/** createLifecycle returns an empty `Lifecycle` reading time from `clock`. */
export function createLifecycle(options: { clock?: Clock } = {}): Lifecycle {
  const clock = options.clock ?? systemClock;
  const components = new Map<string, Component>();
  const listeners = new Set<(snapshot: ComponentSnapshot) => void>();
  return {
    clock,
    component(name, componentOptions = {}) {
      if (components.has(name)) throw new RangeError(`component ${name} is already registered`);
      const component = createComponent({
        name,
        clock,
        maxProgressAgeMs: componentOptions.maxProgressAgeMs,
        onChange: (snapshot) => {
          for (const listener of listeners) listener(snapshot);
        },
      });
      components.set(name, component);
      return component;
    },
    snapshot() {
      return [...components.values()].map((component) => component.snapshot());
    },
    onChange(listener) {
      const entry = (snapshot: ComponentSnapshot): void => listener(snapshot);
      listeners.add(entry);
      return { dispose: () => listeners.delete(entry) };
    },
  };
}
