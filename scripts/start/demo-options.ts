/** DemoOptions size the `npm start` demo; each comes from an environment variable. */
export interface DemoOptions {
  /** DEMO_PROVIDERS_COUNT: simulated provider clusters (default 3). */
  readonly providers: number;
  /** DEMO_DATABASES_PER_PROVIDER_COUNT: KubeDB databases per cluster (default 200). */
  readonly databasesPerProvider: number;
  /** DEMO_DRIFT_RATIO: share of databases whose platform record departs from the cluster (default 0.1). */
  readonly driftRatio: number;
  /** DEMO_INJECT_INTERVAL_MS: a random CR is scaled this often (default 8000; 0 = never). */
  readonly injectIntervalMs: number;
  /** DEMO_REMEDIATE_DELAY_MS: the simulated operator applies an operation this long after it was written (default 6000; 0 = never). */
  readonly remediateDelayMs: number;
  /** DEMO_PERSIST_MS: RECONCILER_PERSIST_MS of the demo's reconciler (default 1000). */
  readonly persistMs: number;
  /** DEMO_KEEP_DATA=true keeps the demo's topics and MongoDB database after Ctrl-C. */
  readonly keepData: boolean;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a number in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** demoOptionsFromEnv reads DemoOptions; an out-of-range value throws a RangeError naming the variable. */
export function demoOptionsFromEnv(env: NodeJS.ProcessEnv): DemoOptions {
  return {
    providers: Math.round(number(env, 'DEMO_PROVIDERS_COUNT', 3, 1, 100)),
    databasesPerProvider: Math.round(number(env, 'DEMO_DATABASES_PER_PROVIDER_COUNT', 200, 1, 100_000)),
    driftRatio: number(env, 'DEMO_DRIFT_RATIO', 0.1, 0, 1),
    injectIntervalMs: number(env, 'DEMO_INJECT_INTERVAL_MS', 8000, 0, 3_600_000),
    remediateDelayMs: number(env, 'DEMO_REMEDIATE_DELAY_MS', 6000, 0, 3_600_000),
    persistMs: number(env, 'DEMO_PERSIST_MS', 1000, 0, 600_000),
    keepData: env['DEMO_KEEP_DATA'] === 'true',
  };
}
