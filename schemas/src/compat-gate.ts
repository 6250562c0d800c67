import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkBackward, type CompatProblem } from './compat.ts';

/** WORKING_TREE labels the uncommitted version of a schema file. */
export const WORKING_TREE = 'working tree';

/** SchemaVersion is one version of a schema file: a commit (or the working tree) and its text. */
export interface SchemaVersion {
  /** Commit sha, or WORKING_TREE. */
  readonly commit: string;
  readonly text: string;
}

/** GateFailure is one pair of versions of a schema where the newer cannot read the older. */
export interface GateFailure {
  /** Schema file, relative to the repository root. */
  readonly schema: string;
  /** The newer version: the reader. */
  readonly reader: string;
  /** The older version: the writer whose data must stay readable. */
  readonly writer: string;
  readonly problems: readonly CompatProblem[];
}

/** GateReport is the outcome of runCompatGate. */
export interface GateReport {
  readonly ok: boolean;
  /** Each schema file and how many versions of it were compared. */
  readonly checked: readonly { readonly schema: string; readonly versions: number }[];
  readonly failures: readonly GateFailure[];
  /** A shallow clone hides history: only the versions it has were checked. */
  readonly shallow: boolean;
}

function git(repoDir: string, args: readonly string[]): string {
  return execFileSync('git', ['-C', repoDir, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

function tryGit(repoDir: string, args: readonly string[]): string | undefined {
  try {
    return git(repoDir, args);
  } catch {
    return undefined;
  }
}

/**
 * schemaHistory lists the versions of one schema file, oldest first: every commit that changed
 * it (`git log --format=%H -- file`, read with `git show <sha>:file`; commits that deleted it are
 * skipped), then the working tree when it differs from the last commit. `file` is relative to the
 * repository root.
 */
export function schemaHistory(repoDir: string, file: string): SchemaVersion[] {
  const log = tryGit(repoDir, ['log', '--format=%H', '--', file]) ?? '';
  const versions: SchemaVersion[] = [];
  for (const commit of log.split('\n').filter(Boolean).reverse()) {
    const text = tryGit(repoDir, ['show', `${commit}:${file}`]);
    if (text !== undefined && text !== versions.at(-1)?.text) versions.push({ commit, text });
  }
  const onDisk = join(repoDir, file);
  if (existsSync(onDisk)) {
    const text = readFileSync(onDisk, 'utf8');
    if (text !== versions.at(-1)?.text) versions.push({ commit: WORKING_TREE, text });
  }
  return versions;
}

/**
 * checkVersions checks that each version can read data written by every earlier one (backward
 * compatibility, transitively: a compacted topic keeps records written with the first version
 * forever, so the newest reader must read all of them). Returns one failure per incompatible
 * pair.
 */
export function checkVersions(schema: string, versions: readonly SchemaVersion[]): GateFailure[] {
  const failures: GateFailure[] = [];
  versions.forEach((reader, i) => {
    for (const writer of versions.slice(0, i)) {
      const result = checkBackward(writer.text, reader.text);
      if (!result.compatible) {
        failures.push({ schema, reader: reader.commit, writer: writer.commit, problems: result.problems });
      }
    }
  });
  // A single (new) version must at least be valid Avro.
  const only = versions.length === 1 ? versions[0] : undefined;
  if (only !== undefined) {
    const result = checkBackward(only.text, only.text);
    if (!result.compatible) {
      const problems = result.problems
        .slice(0, 1)
        .map((p) => ({ ...p, reason: p.reason.replace(/^old schema/, 'schema') }));
      failures.push({ schema, reader: only.commit, writer: only.commit, problems });
    }
  }
  return failures;
}

/** CompatGateOptions says where the schemas are. */
export interface CompatGateOptions {
  /** Any directory inside the git repository; defaults to the schemas folder. */
  readonly repoDir?: string;
  /** Folder holding the `.avsc` files; defaults to this package's root. */
  readonly schemaDir?: string;
}

/**
 * runCompatGate checks every `.avsc` file in `schemaDir` — and every one committed at HEAD but
 * deleted since — against its whole git history plus the working tree. Synchronous; throws only
 * when git itself cannot run.
 */
export function runCompatGate(options: CompatGateOptions = {}): GateReport {
  const schemaDir = options.schemaDir ?? fileURLToPath(new URL('..', import.meta.url));
  const root = git(options.repoDir ?? schemaDir, ['rev-parse', '--show-toplevel']).trim();
  const dir = relative(root, schemaDir).split('\\').join('/');
  const prefix = dir === '' ? '' : `${dir}/`;
  const onDisk = readdirSync(schemaDir).filter((f) => f.endsWith('.avsc'));
  const committed = (
    tryGit(root, ['ls-tree', '--name-only', 'HEAD', '--', prefix === '' ? '.' : prefix]) ?? ''
  )
    .split('\n')
    .filter((f) => f.endsWith('.avsc') && !f.slice(prefix.length).includes('/'))
    .map((f) => f.slice(prefix.length));

  const checked: { schema: string; versions: number }[] = [];
  const failures: GateFailure[] = [];
  for (const name of [...new Set([...onDisk, ...committed])].sort()) {
    const schema = `${prefix}${name}`;
    if (!onDisk.includes(name)) {
      failures.push({
        schema,
        reader: WORKING_TREE,
        writer: 'HEAD',
        problems: [{ path: '(file)', reason: 'schema deleted: consumers still read data written with it' }],
      });
      continue;
    }
    const versions = schemaHistory(root, schema);
    checked.push({ schema, versions: versions.length });
    failures.push(...checkVersions(schema, versions));
  }
  const shallow = tryGit(root, ['rev-parse', '--is-shallow-repository'])?.trim() === 'true';
  return { ok: failures.length === 0, checked, failures, shallow };
}

function short(commit: string): string {
  return /^[0-9a-f]{40}$/.test(commit) ? commit.slice(0, 12) : commit;
}

/** formatGateReport renders a GateReport for humans: one line per problem, naming schema, commits and field. */
export function formatGateReport(report: GateReport): string {
  const lines: string[] = [];
  for (const f of report.failures) {
    for (const p of f.problems) {
      lines.push(
        `INCOMPATIBLE ${f.schema}: version ${short(f.reader)} cannot read data written by ${short(f.writer)} — field ${p.path}: ${p.reason}`,
      );
    }
  }
  if (report.shallow)
    lines.push('warning: shallow clone, only the history present was checked (fetch with --unshallow)');
  const versions = report.checked.reduce((n, c) => n + c.versions, 0);
  lines.push(
    report.ok
      ? `schema compatibility gate: ok (${report.checked.length} schemas, ${versions} versions, backward-transitive)`
      : `schema compatibility gate: FAILED (${report.failures.length} incompatible version pairs). Make the change backward compatible (new fields need a default; never change a field's type) or publish a new topic version (.v2).`,
  );
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const report = runCompatGate();
  (report.ok ? process.stdout : process.stderr).write(formatGateReport(report));
  process.exitCode = report.ok ? 0 : 1;
}
