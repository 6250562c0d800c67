import type avro from 'avsc';
import { isCompatible, parseAvro, type CompatibilityLevel } from './compatibility.ts';
import { RegistryError } from './registry-error.ts';

/** RegistrySnapshot is the persisted form of the registry (a JSON file under .stack/). */
export interface RegistrySnapshot {
  readonly nextId: number;
  readonly schemas: readonly { readonly id: number; readonly schema: string }[];
  readonly subjects: Readonly<
    Record<
      string,
      {
        readonly deleted: boolean;
        readonly versions: readonly {
          readonly version: number;
          readonly id: number;
          readonly deleted: boolean;
        }[];
      }
    >
  >;
  readonly config: {
    readonly global: CompatibilityLevel;
    readonly subjects: Readonly<Record<string, CompatibilityLevel>>;
  };
}

/** SubjectVersion is Confluent's answer for one version of a subject. */
export interface SubjectVersion {
  readonly subject: string;
  readonly id: number;
  readonly version: number;
  readonly schema: string;
}

interface VersionEntry {
  version: number;
  id: number;
  deleted: boolean;
}

interface SubjectEntry {
  deleted: boolean;
  versions: VersionEntry[];
}

/** EMPTY_SNAPSHOT is a registry with no schema and the global level BACKWARD (Confluent's default). */
export const EMPTY_SNAPSHOT: RegistrySnapshot = {
  nextId: 1,
  schemas: [],
  subjects: {},
  config: { global: 'BACKWARD', subjects: {} },
};

/**
 * canonicalSchema is the text ids are deduplicated on: the schema's JSON with insignificant
 * whitespace removed (key order, defaults and docs are kept, so schemas that differ in a default
 * get different ids, as in Confluent). Throws RegistryError 42201 on invalid JSON.
 */
export function canonicalSchema(schema: string): string {
  try {
    return JSON.stringify(JSON.parse(schema));
  } catch (error) {
    throw new RegistryError(
      'invalidSchema',
      `Invalid schema: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * RegistryStore is the schema registry's state and rules, in memory and without I/O: global ids
 * shared by identical schemas across subjects, per-subject versions, compatibility levels, soft
 * and permanent deletes. Every mutating method returns normally only after the change is applied;
 * the caller persists `snapshot()` afterwards. Errors are RegistryError with Confluent's codes.
 */
export class RegistryStore {
  #nextId: number;
  readonly #schemas = new Map<number, string>();
  readonly #idByCanonical = new Map<string, number>();
  readonly #types = new Map<number, avro.Type>();
  readonly #subjects = new Map<string, SubjectEntry>();
  #globalLevel: CompatibilityLevel;
  readonly #subjectLevels = new Map<string, CompatibilityLevel>();

  constructor(snapshot: RegistrySnapshot = EMPTY_SNAPSHOT) {
    this.#nextId = snapshot.nextId;
    for (const { id, schema } of snapshot.schemas) {
      this.#schemas.set(id, schema);
      this.#idByCanonical.set(schema, id);
    }
    for (const [name, entry] of Object.entries(snapshot.subjects)) {
      this.#subjects.set(name, { deleted: entry.deleted, versions: entry.versions.map((v) => ({ ...v })) });
    }
    this.#globalLevel = snapshot.config.global;
    for (const [name, level] of Object.entries(snapshot.config.subjects))
      this.#subjectLevels.set(name, level);
  }

  /** snapshot returns the whole state as plain JSON-ready data. */
  snapshot(): RegistrySnapshot {
    return {
      nextId: this.#nextId,
      schemas: [...this.#schemas].map(([id, schema]) => ({ id, schema })),
      subjects: Object.fromEntries(
        [...this.#subjects].map(([name, entry]) => [
          name,
          { deleted: entry.deleted, versions: entry.versions.map((v) => ({ ...v })) },
        ]),
      ),
      config: { global: this.#globalLevel, subjects: Object.fromEntries(this.#subjectLevels) },
    };
  }

  #type(id: number): avro.Type {
    let type = this.#types.get(id);
    if (!type) {
      type = parseAvro(this.#schemas.get(id) ?? 'null');
      this.#types.set(id, type);
    }
    return type;
  }

  #liveSubject(subject: string): SubjectEntry {
    const entry = this.#subjects.get(subject);
    if (!entry || entry.deleted || !entry.versions.some((v) => !v.deleted)) {
      throw new RegistryError('subjectNotFound', `Subject '${subject}' not found.`);
    }
    return entry;
  }

  #liveVersions(entry: SubjectEntry): VersionEntry[] {
    return entry.versions.filter((v) => !v.deleted);
  }

  #resolveVersion(subject: string, version: string): VersionEntry {
    const entry = this.#liveSubject(subject);
    const live = this.#liveVersions(entry);
    if (version === 'latest' || version === '-1') {
      const latest = live.at(-1);
      if (latest) return latest;
    } else if (/^\d+$/.test(version) && Number(version) >= 1 && Number(version) <= 2 ** 31 - 1) {
      const found = live.find((v) => v.version === Number(version));
      if (found) return found;
      throw new RegistryError('versionNotFound', `Version ${version} not found.`);
    } else {
      throw new RegistryError(
        'invalidVersion',
        `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
      );
    }
    throw new RegistryError('versionNotFound', `Version ${version} not found.`);
  }

  /** effectiveLevel is the subject's own level, else the global one. */
  effectiveLevel(subject: string): CompatibilityLevel {
    return this.#subjectLevels.get(subject) ?? this.#globalLevel;
  }

  /**
   * register adds `schema` under `subject` and returns its global id. Idempotent: a schema already
   * live under the subject returns its id without a new version; a schema known under another
   * subject reuses that id. Throws 42201 for an invalid or non-Avro schema, 409 when the schema
   * breaks the subject's compatibility level.
   */
  register(subject: string, schema: string, schemaType?: string): { id: number } {
    if (schemaType !== undefined && schemaType !== 'AVRO') {
      throw new RegistryError(
        'invalidSchema',
        `Schema type ${schemaType} is not supported by the dev/test registry stand-in (AVRO only).`,
      );
    }
    const canonical = canonicalSchema(schema);
    const type = parseAvro(canonical);
    const entry = this.#subjects.get(subject);
    const live = entry && !entry.deleted ? this.#liveVersions(entry) : [];
    const knownId = this.#idByCanonical.get(canonical);
    const same = knownId === undefined ? undefined : live.find((v) => v.id === knownId);
    if (same) return { id: same.id };

    const level = this.effectiveLevel(subject);
    if (
      !isCompatible(
        level,
        type,
        live.map((v) => this.#type(v.id)),
      )
    ) {
      throw new RegistryError(
        'incompatibleSchema',
        `Schema being registered is incompatible with an earlier schema for subject "${subject}" (compatibility ${level})`,
      );
    }
    let id = knownId;
    if (id === undefined) {
      id = this.#nextId++;
      this.#schemas.set(id, canonical);
      this.#idByCanonical.set(canonical, id);
      this.#types.set(id, type);
    }
    const target = entry ?? { deleted: false, versions: [] };
    if (entry?.deleted) {
      // Registering again after a soft delete revives the subject; old versions stay deleted.
      target.deleted = false;
      for (const version of target.versions) version.deleted = true;
    }
    const version = (target.versions.at(-1)?.version ?? 0) + 1;
    target.versions.push({ version, id, deleted: false });
    this.#subjects.set(subject, target);
    return { id };
  }

  /** lookup finds `schema` among the subject's live versions; 40401 / 40403 when absent. */
  lookup(subject: string, schema: string): SubjectVersion {
    const canonical = canonicalSchema(schema);
    const entry = this.#liveSubject(subject);
    const id = this.#idByCanonical.get(canonical);
    const found = id === undefined ? undefined : this.#liveVersions(entry).find((v) => v.id === id);
    if (!found) throw new RegistryError('schemaNotFound', 'Schema not found');
    return { subject, id: found.id, version: found.version, schema: canonical };
  }

  /** schemaById returns the schema text of a global id; 40403 when unknown. */
  schemaById(id: number): string {
    const schema = this.#schemas.get(id);
    if (schema === undefined) throw new RegistryError('schemaNotFound', 'Schema not found');
    return schema;
  }

  /** subjectVersionsOfId lists every live (subject, version) that uses a global id. */
  subjectVersionsOfId(id: number): { subject: string; version: number }[] {
    this.schemaById(id);
    const out: { subject: string; version: number }[] = [];
    for (const [subject, entry] of this.#subjects) {
      if (entry.deleted) continue;
      for (const v of entry.versions)
        if (!v.deleted && v.id === id) out.push({ subject, version: v.version });
    }
    return out;
  }

  /** subjects lists the live subjects, sorted. */
  subjects(): string[] {
    return [...this.#subjects]
      .filter(([, entry]) => !entry.deleted && entry.versions.some((v) => !v.deleted))
      .map(([name]) => name)
      .sort();
  }

  /** versions lists a subject's live version numbers, ascending; 40401 when the subject is unknown. */
  versions(subject: string): number[] {
    return this.#liveVersions(this.#liveSubject(subject)).map((v) => v.version);
  }

  /** version returns one version (`latest`, `-1` or a number); 40401 / 40402 / 42202. */
  version(subject: string, version: string): SubjectVersion {
    const found = this.#resolveVersion(subject, version);
    return { subject, id: found.id, version: found.version, schema: this.schemaById(found.id) };
  }

  /**
   * isCompatibleWith checks `schema` against one version of the subject (`latest` checks against
   * the live versions the subject's level covers, e.g. all of them for BACKWARD_TRANSITIVE).
   */
  isCompatibleWith(subject: string, version: string, schema: string): boolean {
    const candidate = parseAvro(canonicalSchema(schema));
    const level = this.effectiveLevel(subject);
    if (version === 'latest' || version === '-1') {
      const live = this.#liveVersions(this.#liveSubject(subject));
      return isCompatible(
        level,
        candidate,
        live.map((v) => this.#type(v.id)),
      );
    }
    const found = this.#resolveVersion(subject, version);
    return isCompatible(level, candidate, [this.#type(found.id)]);
  }

  /** globalLevel is the registry-wide compatibility level. */
  globalLevel(): CompatibilityLevel {
    return this.#globalLevel;
  }

  /** setGlobalLevel changes the registry-wide level. */
  setGlobalLevel(level: CompatibilityLevel): void {
    this.#globalLevel = level;
  }

  /**
   * subjectLevel returns the subject's own level; with `defaultToGlobal` falls back to the global
   * one, otherwise throws 40408 (what clients use to detect a first registration).
   */
  subjectLevel(subject: string, defaultToGlobal: boolean): CompatibilityLevel {
    const level = this.#subjectLevels.get(subject);
    if (level) return level;
    if (defaultToGlobal) return this.#globalLevel;
    throw new RegistryError(
      'subjectConfigNotFound',
      `Subject '${subject}' does not have subject-level compatibility configured`,
    );
  }

  /** setSubjectLevel sets the subject's own level (the subject need not exist yet, as in Confluent). */
  setSubjectLevel(subject: string, level: CompatibilityLevel): void {
    this.#subjectLevels.set(subject, level);
  }

  /** deleteSubjectLevel removes the subject's own level and returns it; 40408 when it had none. */
  deleteSubjectLevel(subject: string): CompatibilityLevel {
    const level = this.subjectLevel(subject, false);
    this.#subjectLevels.delete(subject);
    return level;
  }

  /**
   * deleteSubject soft-deletes a subject (it disappears from lists, ids stay resolvable) or, with
   * `permanent`, removes a soft-deleted one for good (40405 if it was not soft-deleted first).
   * Returns the deleted version numbers.
   */
  deleteSubject(subject: string, permanent: boolean): number[] {
    const entry = this.#subjects.get(subject);
    if (!entry) throw new RegistryError('subjectNotFound', `Subject '${subject}' not found.`);
    if (permanent) {
      if (!entry.deleted) {
        throw new RegistryError(
          'subjectNotSoftDeleted',
          `Subject '${subject}' was not deleted first before being permanently deleted`,
        );
      }
      this.#subjects.delete(subject);
      this.#subjectLevels.delete(subject);
      return entry.versions.map((v) => v.version);
    }
    if (entry.deleted)
      throw new RegistryError(
        'subjectSoftDeleted',
        `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`,
      );
    entry.deleted = true;
    return this.#liveVersions(entry).map((v) => v.version);
  }
}
