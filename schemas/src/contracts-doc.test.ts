import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSchemaText } from './codec.ts';
import { topicContracts, topicIds } from './topic-contracts.ts';

const doc = readFileSync(new URL('../../docs/contracts.md', import.meta.url), 'utf8');

/** Field names of every record in a schema, at any depth. */
function fieldNames(schema: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(schema)) {
    for (const branch of schema) fieldNames(branch, out);
  } else if (typeof schema === 'object' && schema !== null) {
    const node = schema as { type?: unknown; fields?: { name: string; type: unknown }[]; items?: unknown };
    for (const field of node.fields ?? []) {
      out.add(field.name);
      fieldNames(field.type, out);
    }
    if (node.type === 'array') fieldNames(node.items, out);
  }
  return out;
}

describe('docs/contracts.md stays in step with the contracts', () => {
  it.each(topicIds)('%s: the overview row states its key, compaction and co-partitioning', (id) => {
    const contract = topicContracts[id];
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${contract.defaultName}\``));
    expect(row, `no overview row for ${contract.defaultName}`).toBeDefined();
    const cells = (row ?? '').split('|').map((c) => c.trim());
    expect(cells[3]).toContain(contract.schemaFile);
    expect(cells[4]).toBe(contract.compacted ? 'compact' : 'delete (retention)');
    expect(cells[5]).toBe(contract.coPartitioned ? '**yes**' : 'no');
    const key = {
      'database-key': 'database key',
      'provider-id': 'provider id',
      'original-key': 'original key bytes',
    };
    expect(cells[2]).toBe(key[contract.keyFormat]);
  });

  it.each(topicIds)('%s: every schema field has a row in a field table', (id) => {
    const missing = [...fieldNames(JSON.parse(readSchemaText(id)))].filter(
      (name) => !doc.includes(`| \`${name}\``),
    );
    expect(missing).toEqual([]);
  });

  it.each(topicIds)('%s: has its own section', (id) => {
    expect(doc).toContain(`### \`${topicContracts[id].defaultName}\``);
  });
});
