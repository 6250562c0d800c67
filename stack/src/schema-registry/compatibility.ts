import avro from 'avsc';
import { RegistryError } from './registry-error.ts';

/** CompatibilityLevel is Confluent's vocabulary; the stand-in defaults to BACKWARD, like Confluent. */
export type CompatibilityLevel =
  'NONE' | 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE';

const LEVELS: readonly CompatibilityLevel[] = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
];

/** parseCompatibilityLevel accepts a level case-insensitively; throws RegistryError 42203 otherwise. */
export function parseCompatibilityLevel(value: unknown): CompatibilityLevel {
  const upper = typeof value === 'string' ? value.toUpperCase() : '';
  const level = LEVELS.find((candidate) => candidate === upper);
  if (!level) {
    throw new RegistryError(
      'invalidCompatibilityLevel',
      `Invalid compatibility level. Valid values are ${LEVELS.join(', ')}`,
    );
  }
  return level;
}

/**
 * parseAvro parses an Avro schema text into an avsc Type, or throws RegistryError 42201 with the
 * parser's reason. Named types are resolved inside the schema only (no references).
 */
export function parseAvro(schema: string): avro.Type {
  try {
    return avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
  } catch (error) {
    throw new RegistryError(
      'invalidSchema',
      `Invalid schema: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** canReadWith is true when data written with `writer` can be read with `reader` (Avro schema resolution). */
export function canReadWith(reader: avro.Type, writer: avro.Type): boolean {
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false;
  }
}

/**
 * isCompatible checks `candidate` against `existing` (oldest first) under `level`, the way Confluent
 * does: BACKWARD = the new schema reads data of the latest one; FORWARD = the latest reads data of
 * the new one; FULL = both; *_TRANSITIVE = against every existing version; NONE = always true.
 * Pure.
 */
export function isCompatible(
  level: CompatibilityLevel,
  candidate: avro.Type,
  existing: readonly avro.Type[],
): boolean {
  if (level === 'NONE' || existing.length === 0) return true;
  const against = level.endsWith('_TRANSITIVE') ? existing : existing.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  return against.every(
    (previous) =>
      (!backward || canReadWith(candidate, previous)) && (!forward || canReadWith(previous, candidate)),
  );
}
