import { describe, expect, it } from 'vitest';
import { parsePidRecord, pidFilePath } from './pid-file.ts';

describe('parsePidRecord', () => {
  const valid = {
    pid: 4242,
    marker: 'driftline-stack:kafka:/s',
    port: 9092,
    startedAtMs: 1,
    startedBy: 'test-run',
  };

  it('reads a well-formed record', () => {
    expect(parsePidRecord(JSON.stringify(valid))).toEqual(valid);
  });

  it('treats a record without startedBy (older files) as started by the CLI', () => {
    const { startedBy: _omitted, ...old } = valid;
    expect(parsePidRecord(JSON.stringify(old))?.startedBy).toBe('cli');
  });

  it.each([
    ['not JSON', '{"pid":'],
    ['an array', '[]'],
    ['pid 1 (init must never be signalled)', JSON.stringify({ ...valid, pid: 1 })],
    ['a fractional pid', JSON.stringify({ ...valid, pid: 12.5 })],
    ['a string pid', JSON.stringify({ ...valid, pid: '4242' })],
    ['an empty marker', JSON.stringify({ ...valid, marker: '' })],
    ['a missing port', JSON.stringify({ ...valid, port: undefined })],
  ])('rejects %s', (_label, text) => {
    expect(parsePidRecord(text)).toBeNull();
  });
});

describe('pidFilePath', () => {
  it('keeps pid files in the run folder of the stack', () => {
    expect(pidFilePath('/repo/.stack', 'mongo')).toBe('/repo/.stack/run/mongo.pid.json');
  });
});
