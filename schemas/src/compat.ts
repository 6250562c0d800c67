import avro from 'avsc';

/** CompatProblem is one reason a reader schema cannot read data written with a writer schema. */
export interface CompatProblem {
  /** Dotted field path from the root record, e.g. `DriftEvent.provenance.observedAtMs`. */
  readonly path: string;
  readonly reason: string;
}

/** CompatResult is the verdict of checkBackward. */
export type CompatResult = { compatible: true } | { compatible: false; problems: readonly CompatProblem[] };

// The parts of avsc's runtime types the diagnosis reads (avsc's typings leave most of them out).
interface AnyType {
  readonly typeName: string;
  readonly name?: string | undefined;
  readonly aliases?: readonly string[] | undefined;
  readonly fields?: readonly AnyField[];
  readonly types?: readonly AnyType[];
  readonly itemsType?: AnyType;
  readonly valuesType?: AnyType;
  readonly symbols?: readonly string[];
  readonly default?: unknown;
  readonly underlyingType?: AnyType;
  createResolver(writer: AnyType): unknown;
}
interface AnyField {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly type: AnyType;
  defaultValue(): unknown;
}

function parse(schema: string | object, role: string): AnyType | CompatProblem {
  try {
    const json: unknown = typeof schema === 'string' ? JSON.parse(schema) : schema;
    return avro.Type.forSchema(json as avro.Schema) as unknown as AnyType;
  } catch (error) {
    return { path: '(schema)', reason: `${role} schema is not valid Avro: ${(error as Error).message}` };
  }
}

function canRead(reader: AnyType, writer: AnyType): boolean {
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false;
  }
}

function describe(type: AnyType): string {
  if (type.types) return `union [${type.types.map(describe).join(', ')}]`;
  if (type.typeName === 'array' && type.itemsType) return `array of ${describe(type.itemsType)}`;
  if (type.typeName === 'map' && type.valuesType) return `map of ${describe(type.valuesType)}`;
  return type.name === undefined ? type.typeName : `${type.typeName} ${type.name}`;
}

function unwrapLogical(type: AnyType): AnyType {
  return type.typeName.startsWith('logical:') && type.underlyingType ? type.underlyingType : type;
}

/** Explains why `reader` cannot read `writer`, descending to the innermost field that breaks. */
function diagnose(reader: AnyType, writer: AnyType, path: string, out: CompatProblem[]): void {
  if (canRead(reader, writer)) return;
  const r = unwrapLogical(reader);
  const w = unwrapLogical(writer);

  if (w.types && !r.types) {
    // Every branch the writer may have used must be readable.
    for (const branch of w.types) {
      if (!canRead(r, branch))
        out.push({
          path,
          reason: `writer union branch ${describe(branch)} cannot be read as ${describe(r)}`,
        });
    }
    return;
  }
  if (r.types) {
    for (const branch of w.types ?? [w]) {
      if (r.types.some((candidate) => canRead(candidate, branch))) continue;
      const sameKind = r.types.find(
        (candidate) => unwrapLogical(candidate).typeName === unwrapLogical(branch).typeName,
      );
      if (sameKind) diagnose(sameKind, branch, path, out);
      else out.push({ path, reason: `type changed: ${describe(branch)} cannot be read as ${describe(r)}` });
    }
    return;
  }
  if (r.typeName === 'record' && w.typeName === 'record' && r.fields && w.fields) {
    const names = [r.name, ...(r.aliases ?? [])];
    if (w.name !== undefined && !names.includes(w.name)) {
      out.push({ path, reason: `record renamed from ${w.name} to ${r.name ?? '?'} without an alias` });
      return;
    }
    const before = out.length;
    for (const field of r.fields) {
      const fieldPath = `${path}.${field.name}`;
      const candidates = [field.name, ...field.aliases];
      const written = w.fields.find((f) => candidates.includes(f.name));
      if (written === undefined) {
        if (field.defaultValue() === undefined) {
          out.push({
            path: fieldPath,
            reason: 'field added without a default (old data has no value for it)',
          });
        }
        continue;
      }
      diagnose(field.type, written.type, fieldPath, out);
    }
    if (out.length === before) out.push({ path, reason: `cannot read ${describe(w)} as ${describe(r)}` });
    return;
  }
  if (r.typeName === 'enum' && w.typeName === 'enum' && r.symbols && w.symbols) {
    const missing = w.symbols.filter((s) => !r.symbols?.includes(s));
    if (r.name !== w.name && !(r.aliases ?? []).includes(w.name ?? '')) {
      out.push({ path, reason: `enum renamed from ${w.name ?? '?'} to ${r.name ?? '?'} without an alias` });
    } else if (missing.length > 0 && r.default === undefined) {
      out.push({ path, reason: `enum symbols removed without a default symbol: ${missing.join(', ')}` });
    } else {
      out.push({ path, reason: `cannot read ${describe(w)} as ${describe(r)}` });
    }
    return;
  }
  if (r.typeName === 'array' && w.typeName === 'array' && r.itemsType && w.itemsType) {
    diagnose(r.itemsType, w.itemsType, `${path}[]`, out);
    return;
  }
  if (r.typeName === 'map' && w.typeName === 'map' && r.valuesType && w.valuesType) {
    diagnose(r.valuesType, w.valuesType, `${path}{}`, out);
    return;
  }
  out.push({ path, reason: `type changed: ${describe(w)} cannot be read as ${describe(r)}` });
}

/**
 * checkBackward tells whether `newSchema` (the reader) can read every datum written with
 * `oldSchema` (the writer): Avro schema resolution as avsc's `Type.createResolver` implements it,
 * which is what the schema registry's BACKWARD level means. Adding a field with a default,
 * removing a field, adding an enum symbol, widening int → long and promoting a type into a union
 * are compatible; adding a field without a default, changing a type, removing an enum symbol
 * without a default symbol or renaming a record without an alias are not. Each problem names the
 * field path. Never throws: an unparsable schema is reported as a problem.
 */
export function checkBackward(oldSchema: string | object, newSchema: string | object): CompatResult {
  const writer = parse(oldSchema, 'old');
  const reader = parse(newSchema, 'new');
  if ('path' in writer || 'path' in reader) {
    return { compatible: false, problems: [writer, reader].filter((p): p is CompatProblem => 'path' in p) };
  }
  if (canRead(reader, writer)) return { compatible: true };
  const problems: CompatProblem[] = [];
  diagnose(reader, writer, reader.name?.split('.').pop() ?? reader.typeName, problems);
  return { compatible: false, problems };
}
