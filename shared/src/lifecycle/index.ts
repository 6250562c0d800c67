export { createComponent } from './component.ts';
export type { Component, ComponentOptions, ComponentSnapshot } from './component.ts';
export { createLifecycle } from './lifecycle.ts';
export type { Lifecycle } from './lifecycle.ts';
export { canTransition, lifecycleTransitions } from './lifecycle-state.ts';
export type { LifecycleState } from './lifecycle-state.ts';
export { installShutdown } from './shutdown.ts';
export type { Shutdown, ShutdownOptions, ShutdownProcess } from './shutdown.ts';
