import type { ComponentName } from './config/stack-config.ts';
import type { LaunchSpec } from './process/detached-process.ts';

/**
 * LocalComponent is one process of the local stack as `up`, `down` and `status` see it: how to
 * prepare its files, how to launch it, and how to tell it is ready.
 */
export interface LocalComponent {
  readonly name: ComponentName;
  readonly port: number;
  /** endpoint is what clients use (a broker list entry or a URL), for humans and the test setup. */
  readonly endpoint: string;
  /** marker identifies the process in /proc/<pid>/cmdline (see processMarker). */
  readonly marker: string;
  /** needsJvm is true when the component runs on the Maven artifacts. */
  readonly needsJvm: boolean;
  /** startTimeoutMs bounds the readiness wait after launch. */
  readonly startTimeoutMs: number;
  /** prepare writes config files and formats storage; idempotent. */
  prepare(): Promise<void>;
  /** launch returns the command line; it must include `marker` as one argument (or `x=<marker>`). */
  launch(): LaunchSpec;
  /** probe is true when the component answers a real request (not just an open port). */
  probe(): Promise<boolean>;
}
