import { DriftlineError } from '../errors/index.ts';
import { censored, scrubText } from '../logging/index.ts';
import type { Config, ConfigSchema, ConfigShape } from './define-config.ts';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

function received(value: string | undefined, secret: boolean): string {
  if (value === undefined) return 'nothing (unset)';
  if (secret) return censored;
  return JSON.stringify(scrubText(value));
}

/**
 * loadConfig parses the declared variables from `env` (only those; the rest of the environment
 * is ignored) and returns a deeply frozen, typed configuration. An empty or blank string counts
 * as unset, so `FOO=` in a compose file falls back to the default. Cross-variable checks run
 * after every variable parsed. On any bad or missing value it throws
 * `DriftlineError('CONFIG_INVALID')` (crash: fail fast at startup) whose message names every
 * offending variable, what was expected and what was received — `[REDACTED]` for secrets,
 * credentials in connection strings masked.
 */
export function loadConfig<S extends ConfigShape>(
  schema: ConfigSchema<S>,
  env: Readonly<Record<string, string | undefined>>,
): Config<S> {
  const input: Record<string, string | undefined> = {};
  for (const { name } of schema.variables) {
    const value = env[name];
    input[name] = value === undefined || value.trim() === '' ? undefined : value;
  }
  const result = schema.object.safeParse(input);
  if (result.success) {
    const data = result.data as Record<string, unknown>;
    const problems = schema.checks.flatMap((check) => check.check(data) ?? []);
    if (problems.length === 0) return deepFreeze(result.data) as Config<S>;
    const lines = problems.map((problem) => `${problem.variable}: ${problem.message}`);
    throw new DriftlineError('CONFIG_INVALID', `invalid configuration:\n  ${lines.join('\n  ')}`, {
      details: { variable: problems[0]?.variable ?? '', problems: lines.length },
    });
  }

  const byName = new Map(schema.variables.map((variable) => [variable.name, variable]));
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(config)');
    const variable = byName.get(name);
    const expected = variable?.description ? ` (${variable.description})` : '';
    return `${name}: ${issue.message}${expected}; received ${received(input[name], variable?.secret ?? false)}`;
  });
  const first = String(result.error.issues[0]?.path[0] ?? '');
  throw new DriftlineError('CONFIG_INVALID', `invalid configuration:\n  ${lines.join('\n  ')}`, {
    details: { variable: first, problems: lines.length },
  });
}
