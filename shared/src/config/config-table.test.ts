import { describe, expect, it } from 'vitest';
import { configTableMarkers, renderConfigTable, replaceConfigSection } from './config-table.ts';
import { defineConfig } from './define-config.ts';
import { loggingConfigShape } from './fragments.ts';
import { required, secret, variable } from './variable.ts';

describe('renderConfigTable', () => {
  it('renders one row per variable with type, default, description and secret flag', () => {
    const schema = defineConfig({
      ...loggingConfigShape,
      SINK_CHUNK_SIZE_COUNT: variable
        .integer({ min: 1 })
        .default(500)
        .describe('Operations per bulkWrite | chunk.'),
      SINK_KEY: secret(required(variable.string().describe('Key.'))),
    });
    expect(renderConfigTable('sink', schema)).toBe(
      [
        '### sink',
        '',
        '| Variable | Type | Default | Description | Secret |',
        '| --- | --- | --- | --- | --- |',
        '| `LOG_LEVEL` | fatal \\| error \\| warn \\| info \\| debug \\| trace \\| silent | `info` | Minimum level of the JSON log lines written to stdout. |  |',
        '| `SINK_CHUNK_SIZE_COUNT` | integer | `500` | Operations per bulkWrite \\| chunk. |  |',
        '| `SINK_KEY` | string | **required** | Key. | yes |',
      ].join('\n'),
    );
  });
});

describe('replaceConfigSection', () => {
  const readme = `# x\n\n${configTableMarkers.start}\nold\n${configTableMarkers.end}\n\nafter\n`;

  it('replaces only what is between the markers, idempotently', () => {
    const once = replaceConfigSection(readme, 'new table');
    expect(once).toBe(
      `# x\n\n${configTableMarkers.start}\n\nnew table\n\n${configTableMarkers.end}\n\nafter\n`,
    );
    expect(replaceConfigSection(once, 'new table')).toBe(once);
  });

  it('refuses a document without markers', () => {
    expect(() => replaceConfigSection('# x', 't')).toThrow(RangeError);
  });
});
