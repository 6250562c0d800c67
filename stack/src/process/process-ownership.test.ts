import { describe, expect, it } from 'vitest';
import { cmdlineHasMarker, isOwnedProcess, processMarker } from './process-ownership.ts';

describe('cmdlineHasMarker', () => {
  const marker = processMarker('kafka', '/repo/.stack');

  it('builds a marker naming the component and the stack folder', () => {
    expect(marker).toBe('driftline-stack:kafka:/repo/.stack');
  });

  it('finds the marker as a whole argument or as the value of a -D/--x= argument', () => {
    expect(
      cmdlineHasMarker(
        ['java', '-Xmx512m', `-Ddriftline.stack=${marker}`, 'kafka.Kafka', ''].join('\0'),
        marker,
      ),
    ).toBe(true);
    expect(cmdlineHasMarker(['node', 'main.ts', '--marker', marker, ''].join('\0'), marker)).toBe(true);
  });

  it('does not accept another component, another stack folder or a mere substring', () => {
    const other = ['java', `-Ddriftline.stack=${processMarker('mongo', '/repo/.stack')}`].join('\0');
    const otherDir = ['java', `-Ddriftline.stack=${processMarker('kafka', '/other/.stack')}`].join('\0');
    const longer = ['java', `-Ddriftline.stack=${marker}-copy`].join('\0');
    const embedded = ['sh', '-c', `echo ${marker}`].join('\0');
    for (const cmdline of [other, otherDir, longer, embedded, ''])
      expect(cmdlineHasMarker(cmdline, marker)).toBe(false);
  });

  it('never matches an empty marker', () => {
    expect(cmdlineHasMarker('java\0', '')).toBe(false);
  });
});

describe('isOwnedProcess', () => {
  it('is false for this test process (no marker) and for a pid that does not exist', async () => {
    expect(await isOwnedProcess(process.pid, processMarker('kafka', '/nowhere'))).toBe(false);
    expect(await isOwnedProcess(2 ** 22 + 7, processMarker('kafka', '/nowhere'))).toBe(false);
  });
});
