import { z } from 'zod';

/**
 * unitSuffixes are the endings a numeric variable's name must carry, so nobody has to guess
 * whether `TIMEOUT=30` means seconds or milliseconds.
 */
export const unitSuffixes = [
  '_MS',
  '_SECONDS',
  '_BYTES',
  '_COUNT',
  '_PORT',
  '_PER_SECOND',
  '_RATIO',
  '_PERCENT',
] as const;

/** VariableType is how a variable is parsed from its environment string. */
export type VariableType = 'string' | 'integer' | 'number' | 'boolean' | 'list' | 'url' | 'enum';

/** VariableDescription is what the config table, `describeConfig` and the conventions check read. */
export interface VariableDescription {
  readonly name: string;
  readonly type: VariableType;
  /** Allowed values of an `enum` variable. */
  readonly values: readonly string[] | undefined;
  readonly description: string;
  /** The default as it would be written in the environment; undefined when there is none. */
  readonly defaultValue: string | undefined;
  readonly required: boolean;
  readonly secret: boolean;
}

interface DriftlineMeta {
  type?: VariableType;
  secret?: boolean;
  required?: boolean;
  description?: string;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * variable builds the zod schemas for environment strings, tagged with their type for the config
 * table. Add `.describe()` and `.default()` (or wrap in `required`) at the use site.
 */
export const variable = {
  /** string is any string. */
  string: () => z.string().meta({ type: 'string' }),
  /** url is an absolute URL (`http://`, `https://`, `mongodb://` ...). */
  url: () => z.url().meta({ type: 'url' }),
  /** integer parses a base-10 integer within optional bounds. */
  integer: (bounds: { min?: number; max?: number } = {}) =>
    z.coerce
      .number()
      .int()
      .min(bounds.min ?? Number.MIN_SAFE_INTEGER)
      .max(bounds.max ?? Number.MAX_SAFE_INTEGER)
      .meta({ type: 'integer' }),
  /** number parses a finite decimal within optional bounds. */
  number: (bounds: { min?: number; max?: number } = {}) =>
    z.coerce
      .number()
      .min(bounds.min ?? -Number.MAX_VALUE)
      .max(bounds.max ?? Number.MAX_VALUE)
      .meta({ type: 'number' }),
  /** boolean accepts true/false, 1/0, yes/no, on/off (zod's `stringbool`). */
  boolean: () => z.stringbool().meta({ type: 'boolean' }),
  /** list splits a comma-separated string into its non-empty, trimmed items. */
  list: () =>
    z
      .string()
      .transform(splitList)
      .pipe(z.array(z.string()).min(1, 'expected at least one comma-separated item'))
      .meta({ type: 'list' }),
  /** oneOf accepts exactly one of `values`. */
  oneOf: <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values).meta({ type: 'enum' }),
};

/**
 * secret marks a variable whose value must never be printed: `describeConfig` and error
 * messages show `[REDACTED]`, the config table says so.
 */
export function secret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ secret: true }) as T;
}

/**
 * required marks a variable that deliberately has no default: the service refuses to start
 * without it. Every other variable must have a default.
 */
export function required<T extends z.ZodType>(schema: T): T {
  return schema.meta({ required: true }) as T;
}

function render(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/**
 * describeVariable reads a variable's schema: type, description, default, required and secret
 * flags, whatever the order of `.describe()`, `.meta()` and `.default()` in its chain.
 */
export function describeVariable(name: string, schema: z.ZodType): VariableDescription {
  const meta: DriftlineMeta = {};
  let defaultValue: string | undefined;
  let values: readonly string[] | undefined;
  let current: z.ZodType | undefined = schema;
  while (current !== undefined) {
    const found = (z.globalRegistry.get(current) ?? {}) as DriftlineMeta;
    // Outer layers win: a `.describe()` after `.default()` overrides one before it.
    for (const key of ['type', 'secret', 'required', 'description'] as const) {
      if (meta[key] === undefined && found[key] !== undefined) Object.assign(meta, { [key]: found[key] });
    }
    if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault) {
      defaultValue ??= render(current.def.defaultValue);
      current = current.def.innerType as z.ZodType;
    } else if (current instanceof z.ZodOptional) {
      current = current.def.innerType as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.def.in as z.ZodType;
    } else {
      if (current instanceof z.ZodEnum) values = current.options.map(String);
      current = undefined;
    }
  }
  return {
    name,
    type: meta.type ?? 'string',
    values,
    description: meta.description ?? '',
    defaultValue,
    required: meta.required === true,
    secret: meta.secret === true,
  };
}

/**
 * conventionViolations lists how a variable breaks the project's rules: an UPPER_SNAKE name, a
 * description, a default unless explicitly `required` (never both), and a unit suffix
 * (`unitSuffixes`) on every numeric variable. Empty when it follows them.
 */
export function conventionViolations(variableDescription: VariableDescription): string[] {
  const { name } = variableDescription;
  const problems: string[] = [];
  if (!/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/.test(name)) problems.push(`${name}: name must be UPPER_SNAKE_CASE`);
  if (variableDescription.description.trim() === '') problems.push(`${name}: needs a .describe() text`);
  if (variableDescription.defaultValue === undefined && !variableDescription.required) {
    problems.push(`${name}: needs a .default() or an explicit required()`);
  }
  if (variableDescription.defaultValue !== undefined && variableDescription.required) {
    problems.push(`${name}: is required() but also has a default`);
  }
  const numeric = variableDescription.type === 'integer' || variableDescription.type === 'number';
  if (numeric && !unitSuffixes.some((suffix) => name.endsWith(suffix))) {
    problems.push(`${name}: a numeric variable's name must end in a unit (${unitSuffixes.join(', ')})`);
  }
  return problems;
}
