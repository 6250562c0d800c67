import { censored, scrubText } from '../logging/index.ts';
import type { Config, ConfigSchema, ConfigShape } from './define-config.ts';

function printable(value: unknown): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.map(printable);
  return value;
}

/**
 * describeConfig is the loaded configuration as it may be printed or logged once at startup:
 * every declared variable by name, secrets replaced by `[REDACTED]` (unless empty), credentials inside
 * connection strings masked.
 */
export function describeConfig<S extends ConfigShape>(
  schema: ConfigSchema<S>,
  config: Config<S>,
): Record<string, unknown> {
  const values = config as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const variable of schema.variables) {
    const value = values[variable.name];
    // An unset secret prints as unset: that it is empty is useful and reveals nothing.
    const hidden = variable.secret && value !== undefined && value !== '';
    out[variable.name] = hidden ? censored : printable(value);
  }
  return out;
}
