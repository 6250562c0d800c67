import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WORKING_TREE, formatGateReport, runCompatGate, schemaHistory } from './compat-gate.ts';

function schema(fields: object[]): string {
  return `${JSON.stringify({ type: 'record', name: 'Thing', namespace: 'io.driftline.v1', fields }, null, 2)}\n`;
}
const v1 = schema([{ name: 'id', type: 'string' }]);
const v2 = schema([
  { name: 'id', type: 'string' },
  { name: 'note', type: ['null', 'string'], default: null },
]);
const breaking = schema([
  { name: 'id', type: 'string' },
  { name: 'owner', type: 'string' },
]);

describe('compat gate on a git history', () => {
  let repo: string;
  let dir: string;

  function git(...args: string[]): string {
    return execFileSync(
      'git',
      ['-C', repo, '-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args],
      {
        encoding: 'utf8',
      },
    );
  }
  function commit(file: string, text: string, message: string): string {
    writeFileSync(join(dir, file), text);
    git('add', '-A');
    git('commit', '-q', '--no-verify', '-m', message);
    return git('rev-parse', 'HEAD').trim();
  }

  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'driftline-compat-'));
    dir = join(repo, 'schemas');
    mkdirSync(dir);
    git('init', '-q');
  });
  afterEach(() => {
    rmSync(repo, { recursive: true, force: true });
  });

  it('walks every committed version oldest first, then the working tree', () => {
    const c1 = commit('thing.avsc', v1, 'v1');
    const c2 = commit('thing.avsc', v2, 'v2');
    writeFileSync(join(dir, 'thing.avsc'), v2.replace('"id"', '"id", "doc": "the id"'));
    const history = schemaHistory(repo, 'schemas/thing.avsc');
    expect(history.map((v) => v.commit)).toEqual([c1, c2, WORKING_TREE]);
    expect(history[0]?.text).toBe(v1);
  });

  it('accepts a history that only adds optional fields', () => {
    commit('thing.avsc', v1, 'v1');
    commit('thing.avsc', v2, 'v2');
    const report = runCompatGate({ schemaDir: dir });
    expect(report.ok).toBe(true);
    expect(report.checked).toEqual([{ schema: 'schemas/thing.avsc', versions: 2 }]);
    expect(formatGateReport(report)).toMatch(/gate: ok \(1 schemas, 2 versions/);
  });

  it('rejects a breaking working-tree change, naming schema, commit and field', () => {
    const c1 = commit('thing.avsc', v1, 'v1');
    writeFileSync(join(dir, 'thing.avsc'), breaking);
    const report = runCompatGate({ schemaDir: dir });
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual([
      {
        schema: 'schemas/thing.avsc',
        reader: WORKING_TREE,
        writer: c1,
        problems: [
          { path: 'Thing.owner', reason: 'field added without a default (old data has no value for it)' },
        ],
      },
    ]);
    const text = formatGateReport(report);
    expect(text).toContain(
      `INCOMPATIBLE schemas/thing.avsc: version working tree cannot read data written by ${c1.slice(0, 12)} — field Thing.owner`,
    );
    expect(text).toMatch(/FAILED/);
  });

  it('rejects a breaking change buried in committed history, transitively', () => {
    const c1 = commit('thing.avsc', v1, 'v1');
    // v2 drops "id"; v3 brings it back as an int: each step reads its predecessor, v3 cannot read v1.
    const c2 = commit(
      'thing.avsc',
      schema([{ name: 'note', type: ['null', 'string'], default: null }]),
      'v2',
    );
    const c3 = commit(
      'thing.avsc',
      schema([
        { name: 'note', type: ['null', 'string'], default: null },
        { name: 'id', type: 'int', default: 0 },
      ]),
      'v3',
    );
    const report = runCompatGate({ schemaDir: dir });
    expect(report.failures.map((f) => [f.reader, f.writer, f.problems[0]?.path])).toEqual([
      [c3, c1, 'Thing.id'],
    ]);
    expect(report.failures[0]?.problems[0]?.reason).toBe('type changed: string cannot be read as int');
    expect(c2).not.toBe(c3);
  });

  it('rejects a committed schema deleted from the working tree', () => {
    commit('thing.avsc', v1, 'v1');
    rmSync(join(dir, 'thing.avsc'));
    const report = runCompatGate({ schemaDir: dir });
    expect(report.ok).toBe(false);
    expect(report.failures[0]?.problems[0]?.reason).toMatch(/schema deleted/);
  });

  it('checks a new, uncommitted schema for validity only', () => {
    commit('other.avsc', v1, 'other');
    writeFileSync(join(dir, 'thing.avsc'), breaking);
    expect(runCompatGate({ schemaDir: dir }).ok).toBe(true);
    writeFileSync(join(dir, 'thing.avsc'), '{"type": "record", "name": "Thing"');
    const report = runCompatGate({ schemaDir: dir });
    expect(report.failures[0]?.problems).toEqual([
      { path: '(schema)', reason: expect.stringMatching(/^schema is not valid Avro/) as unknown },
    ]);
  });
});

describe('compat gate on this repository', () => {
  it('every committed driftline schema reads all its earlier versions', () => {
    const report = runCompatGate();
    expect(formatGateReport(report)).not.toMatch(/INCOMPATIBLE/);
    expect(report.ok).toBe(true);
    expect(report.checked.length).toBeGreaterThanOrEqual(7);
  });
});
