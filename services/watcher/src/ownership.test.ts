import { randomBytes } from 'node:crypto';
import type { ProviderRecord } from '@driftline/schemas';
import { createKeyring, sealCredentials } from '@driftline/shared/credentials';
import {
  inMemoryCompactedReader,
  type CompactedReader,
  type ConsumedBatch,
  type ConsumedRecord,
} from '@driftline/shared/kafka';
import { createLogger } from '@driftline/shared/logging';
import { describe, expect, it } from 'vitest';
import { Ownership } from './ownership.ts';
import type { ProviderConfig } from './watcher.ts';

const keyring = createKeyring('k1', randomBytes(32).toString('base64'));
const logger = createLogger({ service: 'watcher-test', level: 'silent' });
const topic = 'providers';

function record(id: string, credentials: unknown = { token: `t-${id}` }, generation = 1): ProviderRecord {
  return {
    id,
    displayName: null,
    server: `https://${id}.example`,
    kinds: ['MongoDB'],
    namespaces: [],
    allowInsecureHttp: false,
    credentialsRef: null,
    credentials: sealCredentials(keyring, id, credentials),
    generation,
    sourceTimestampMs: 1,
  };
}

// Records travel as JSON in these tests: the decoder is injected, Avro is not the point here.
const encode = (r: ProviderRecord): Buffer => Buffer.from(JSON.stringify(r));
const decode = async (b: Buffer): Promise<ProviderRecord | null> =>
  JSON.parse(b.toString()) as ProviderRecord;

/** TableRow is the latest record of one key on the providers topic. */
interface TableRow {
  readonly value: Buffer | null;
  readonly partition: number;
  readonly offset: bigint;
}

function setup(table: Map<string, TableRow> = new Map()) {
  const watched = new Map<string, ProviderConfig>();
  const calls: string[] = [];
  const refused: string[] = [];
  const reads: (ReadonlySet<number> | undefined)[] = [];
  const records: ConsumedRecord[] = [...table].map(([key, e]) => ({
    topic,
    partition: e.partition,
    offset: String(e.offset),
    key,
    value: e.value,
    headers: {},
    timestampMs: 0,
  }));
  const inner = inMemoryCompactedReader((t) => (t === topic ? records : []));
  const reader: CompactedReader = {
    scan: inner.scan,
    latest: async (read) => {
      reads.push(read.partitions);
      return inner.latest(read);
    },
  };
  const ownership = new Ownership({
    providersTopic: topic,
    reader,
    decode,
    keyring,
    logger,
    onRefused: (id) => refused.push(id),
    providers: {
      watch: async (configs) => {
        for (const c of configs) {
          watched.set(c.id, c);
          calls.push(`watch ${c.id}`);
        }
      },
      unwatch: async (ids) => {
        for (const id of ids) {
          watched.delete(id);
          calls.push(`unwatch ${id}`);
        }
      },
    },
  });
  return { ownership, watched, calls, refused, reads };
}

function batch(partition: number, records: [string, ProviderRecord | null, number][]): ConsumedBatch {
  return {
    topic,
    partition,
    highWatermark: '100',
    records: records.map(([key, value, offset]) => ({
      topic,
      partition,
      offset: String(offset),
      key,
      value: value === null ? null : encode(value),
      headers: {},
      timestampMs: 1,
    })),
  };
}

describe('Ownership', () => {
  it('on assignment reads the assigned partitions from the beginning and watches their providers', async () => {
    const table = new Map<string, TableRow>([
      ['a', { value: encode(record('a')), partition: 0, offset: 3n }],
      ['b', { value: encode(record('b')), partition: 1, offset: 4n }],
      ['gone', { value: null, partition: 0, offset: 5n }],
    ]);
    const { ownership, watched, reads } = setup(table);
    await ownership.onAssigned([{ topic, partition: 0 }]);
    expect([...watched.keys()]).toEqual(['a']);
    expect(reads).toEqual([new Set([0])]);
    expect(ownership.ownedPartitions()).toEqual([0]);
  });

  it('applies live records of owned partitions, newest offset wins, tombstones stop', async () => {
    const table = new Map<string, TableRow>([
      ['a', { value: encode(record('a')), partition: 0, offset: 10n }],
    ]);
    const { ownership, watched, calls } = setup(table);
    await ownership.onAssigned([{ topic, partition: 0 }]);
    // A replay of an older record (committed offset behind the table read) changes nothing.
    await ownership.handle(batch(0, [['a', record('a', { token: 'old' }), 2]]));
    expect(calls).toEqual(['watch a']);
    await ownership.handle(batch(0, [['c', record('c'), 11]]));
    await ownership.handle(batch(0, [['a', null, 12]]));
    expect([...watched.keys()]).toEqual(['c']);
    // Records of partitions this instance does not own are ignored.
    await ownership.handle(batch(3, [['x', record('x'), 1]]));
    expect(watched.has('x')).toBe(false);
  });

  it('restarts a provider whose record changed, and stops all of a revoked partition', async () => {
    const { ownership, watched, calls } = setup();
    await ownership.onAssigned([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    await ownership.handle(batch(0, [['a', record('a'), 1]]));
    await ownership.handle(batch(1, [['b', record('b'), 1]]));
    const revision = watched.get('a')?.revision;
    await ownership.handle(batch(0, [['a', record('a', { token: 'rotated' }, 2), 2]]));
    expect(watched.get('a')?.revision).not.toBe(revision);
    await ownership.onRevoked([{ topic, partition: 0 }]);
    expect([...watched.keys()]).toEqual(['b']);
    expect(calls.at(-1)).toBe('unwatch a');
    expect(ownership.ownedPartitions()).toEqual([1]);
  });

  it('refuses a provider with exec credentials: not watched, reported, others unaffected', async () => {
    const { ownership, watched, refused } = setup();
    await ownership.onAssigned([{ topic, partition: 0 }]);
    await ownership.handle(
      batch(0, [
        ['bad', record('bad', { exec: { command: 'sh' } }), 1],
        ['good', record('good'), 2],
      ]),
    );
    expect([...watched.keys()]).toEqual(['good']);
    expect(refused).toEqual(['bad']);
  });

  it('stops a watched provider whose new record is refused', async () => {
    const { ownership, watched } = setup();
    await ownership.onAssigned([{ topic, partition: 0 }]);
    await ownership.handle(batch(0, [['a', record('a'), 1]]));
    await ownership.handle(batch(0, [['a', record('a', { tokenFile: '/t' }), 2]]));
    expect(watched.has('a')).toBe(false);
  });
});
