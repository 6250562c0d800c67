import { z } from 'zod';
import { fragmentChecks } from './fragments.ts';
import { conventionViolations, describeVariable, type VariableDescription } from './variable.ts';

/** ConfigShape maps environment variable names to their schemas. */
export type ConfigShape = Record<string, z.ZodType>;

/**
 * ConfigCheck validates a combination of variables once each parsed on its own (e.g. a SASL
 * mechanism needs a username). It returns the offending variable and what is wrong, or undefined.
 */
export interface ConfigCheck {
  /** The check runs only when the schema declares all of these. */
  readonly variables: readonly string[];
  readonly check: (
    config: Readonly<Record<string, unknown>>,
  ) => { variable: string; message: string } | undefined;
}

/** ConfigSchema is one service's configuration: its variables and the zod object parsing them. */
export interface ConfigSchema<S extends ConfigShape = ConfigShape> {
  readonly shape: S;
  readonly object: z.ZodObject<S>;
  /** variables, in declaration order, as the config table and `describeConfig` show them. */
  readonly variables: readonly VariableDescription[];
  /** Cross-variable checks `loadConfig` runs after parsing. */
  readonly checks: readonly ConfigCheck[];
}

/** Config is the parsed, deeply frozen configuration a `ConfigSchema` yields. */
export type Config<S extends ConfigShape> = DeepReadonly<z.output<z.ZodObject<S>>>;

/** DeepReadonly makes every nested property and array readonly. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * defineConfig declares a service's configuration from a shape of variables, usually spread
 * from the shared fragments (`kafkaConfigShape`, `mongoConfigShape`, ...) plus the service's
 * own. It checks the conventions at definition time — a description on every variable, a
 * default unless `required()`, a unit suffix on every number — and throws a RangeError listing
 * every violation, so a badly declared variable never ships. The shared fragments' own
 * cross-variable checks apply whenever their variables are declared; pass more in `checks`.
 */
export function defineConfig<const S extends ConfigShape>(
  shape: S,
  options: { checks?: readonly ConfigCheck[] } = {},
): ConfigSchema<S> {
  const variables = Object.entries(shape).map(([name, schema]) => describeVariable(name, schema));
  const problems = variables.flatMap(conventionViolations);
  if (problems.length > 0)
    throw new RangeError(`config schema breaks conventions:\n  ${problems.join('\n  ')}`);
  const checks = [...fragmentChecks, ...(options.checks ?? [])].filter((check) =>
    check.variables.every((name) => Object.hasOwn(shape, name)),
  );
  return Object.freeze({
    shape,
    object: z.object(shape),
    variables: Object.freeze(variables),
    checks: Object.freeze(checks),
  });
}
