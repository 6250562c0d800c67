import type { EncryptedCredentials } from '@driftline/schemas';
import { BSON, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { SourceChange } from './change.ts';
import { documentIdOf } from './document-id.ts';
import { KeyIndex } from './key-index.ts';
import { SnapshotRead } from './mongo-source.ts';
import {
  tombstonesForVanished,
  translateChange,
  type TranslatorContext,
  type TranslatorOutput,
} from './translator.ts';

// The driver hands raw documents over as Buffers.
const serialize = (document: Record<string, unknown>): Buffer => Buffer.from(BSON.serialize(document));

const secret = 'canary-secret-token-42';
const fakeSeal = (providerId: string): EncryptedCredentials => ({
  algorithm: 'AES-256-GCM',
  keyId: 'k1',
  iv: 'aXY=',
  tag: 'dGFn',
  ciphertext: Buffer.from(`sealed-for-${providerId}`).toString('base64'),
});
const context: TranslatorContext = { maxDocumentBytes: 4096, seal: fakeSeal, nowMs: 1_000, snapshotId: null };

function db(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    provider: 'p1',
    namespace: 'ns',
    kind: 'MongoDB',
    name: 'a',
    version: '7.0',
    replicas: 3,
    ...overrides,
  };
}

function change(partial: Partial<SourceChange>): SourceChange {
  return {
    collection: 'databases',
    operationType: 'insert',
    documentId: 'd1',
    document: db(),
    sizeBytes: 100,
    clusterTime: { t: 1_700_000_000, i: 3 },
    wallTimeMs: null,
    ...partial,
  };
}

const records = (outputs: TranslatorOutput[]) =>
  outputs.map((o) => (o.type === 'record' ? `${o.key}=${o.value === null ? 'null' : 'value'}` : `${o.type}`));

describe('translateChange', () => {
  it('publishes an insert under the database key with ordering fields', () => {
    const index = new KeyIndex();
    const [out] = translateChange(change({}), index, context);
    expect(out).toMatchObject({
      type: 'record',
      key: 'p1/ns/MongoDB/a',
      value: {
        key: 'p1/ns/MongoDB/a',
        replicas: 3,
        clusterTime: '1700000000.3',
        sourceTimestampMs: 1_700_000_000_000,
      },
    });
    expect(out?.type === 'record' && out.value !== null && out.value.generation).toBe(
      1_700_000_000 * 2 ** 21 + 3,
    );
    expect(index.keyOf('d1')).toBe('p1/ns/MongoDB/a');
  });

  it('prefers the document generation and keeps correlation ids deterministic', () => {
    const a = translateChange(change({ document: db({ generation: 12 }) }), new KeyIndex(), context);
    const b = translateChange(change({ document: db({ generation: 12 }) }), new KeyIndex(), context);
    expect(
      a[0]?.type === 'record' && a[0].value !== null && 'generation' in a[0].value && a[0].value.generation,
    ).toBe(12);
    expect(a).toEqual(b);
    const later = translateChange(
      change({ clusterTime: { t: 1_700_000_001, i: 0 } }),
      new KeyIndex(),
      context,
    );
    expect(later[0]?.type === 'record' && later[0].correlationId).not.toBe(
      a[0]?.type === 'record' && a[0].correlationId,
    );
  });

  it('turns a delete into a tombstone for the key published before', () => {
    const index = new KeyIndex();
    translateChange(change({}), index, context);
    const out = translateChange(change({ operationType: 'delete', document: null }), index, context);
    expect(records(out)).toEqual(['p1/ns/MongoDB/a=null']);
    expect(index.size).toBe(0);
  });

  it('skips a delete of a never-published document and an update whose document is gone', () => {
    const index = new KeyIndex();
    expect(translateChange(change({ operationType: 'delete', document: null }), index, context)).toEqual([
      { type: 'skip', collection: 'databases', documentId: 'd1', reason: 'unknown-document' },
    ]);
    expect(
      translateChange(change({ operationType: 'update', document: null }), index, context)[0],
    ).toMatchObject({
      type: 'skip',
      reason: 'document-gone',
    });
  });

  it('tombstones the old key when a document is renamed', () => {
    const index = new KeyIndex();
    translateChange(change({}), index, context);
    const out = translateChange(
      change({ operationType: 'update', document: db({ name: 'b' }) }),
      index,
      context,
    );
    expect(records(out)).toEqual(['p1/ns/MongoDB/a=null', 'p1/ns/MongoDB/b=value']);
    expect(index.ownerOf('p1/ns/MongoDB/a')).toBeUndefined();
  });

  it('dead-letters an invalid edit and keeps the last good record', () => {
    const index = new KeyIndex();
    translateChange(change({}), index, context);
    const out = translateChange(
      change({ operationType: 'update', document: db({ replicas: 'three' }) }),
      index,
      context,
    );
    expect(out).toEqual([expect.objectContaining({ type: 'dead-letter', reason: 'invalid' })]);
    expect(index.keyOf('d1')).toBe('p1/ns/MongoDB/a');
  });

  it('dead-letters oversize documents without copying them', () => {
    const out = translateChange(change({ sizeBytes: 5000 }), new KeyIndex(), context);
    expect(out).toEqual([
      expect.objectContaining({ type: 'dead-letter', reason: 'oversize', document: null }),
    ]);
  });

  it('dead-letters a second document claiming a held key', () => {
    const index = new KeyIndex();
    translateChange(change({}), index, context);
    const out = translateChange(change({ documentId: 'd2' }), index, context);
    expect(out).toEqual([expect.objectContaining({ type: 'dead-letter', reason: 'key-conflict' })]);
    expect(index.keyOf('d2')).toBeUndefined();
  });

  it('seals provider credentials and never publishes them in clear', () => {
    const doc = { _id: 'p1', server: 'https://k8s:6443', credentials: { token: secret } };
    const out = translateChange(
      change({ collection: 'providers', documentId: 'p1', document: doc }),
      new KeyIndex(),
      context,
    );
    expect(out[0]).toMatchObject({
      type: 'record',
      key: 'p1',
      value: { id: 'p1', credentials: { keyId: 'k1' } },
    });
    expect(JSON.stringify(out)).not.toContain(secret);
  });

  it('dead-letters clear credentials when no key is configured, redacting them', () => {
    const doc = { _id: 'p1', server: 'https://k8s:6443', credentials: { token: secret } };
    const out = translateChange(
      change({ collection: 'providers', documentId: 'p1', document: doc }),
      new KeyIndex(),
      { ...context, seal: null },
    );
    expect(out[0]).toMatchObject({ type: 'dead-letter', reason: 'credentials-unsealable' });
    expect(JSON.stringify(out)).not.toContain(secret);
  });

  it('redacts credentials of an invalid provider document', () => {
    const doc = { _id: 'p1', server: 'not a url', credentials: { token: secret } };
    const out = translateChange(
      change({ collection: 'providers', documentId: 'p1', document: doc }),
      new KeyIndex(),
      context,
    );
    expect(out[0]).toMatchObject({
      type: 'dead-letter',
      reason: 'invalid',
      document: { credentials: '[REDACTED]' },
    });
    expect(JSON.stringify(out)).not.toContain(secret);
  });
});

describe('translateChange of a snapshot read kept as BSON', () => {
  const clusterTime = { t: 1_700_000_000, i: 3 };
  const snapshotContext = { ...context, snapshotId: 'initial-1.1' };
  // The same document decoded, as the adapter handed it before it kept the raw bytes.
  const decoded = (read: SnapshotRead): SourceChange => ({
    collection: read.collection,
    operationType: 'snapshot',
    documentId: documentIdOf(BSON.deserialize(read.bson)['_id']),
    document: BSON.deserialize(read.bson),
    sizeBytes: read.sizeBytes,
    clusterTime,
    wallTimeMs: null,
  });

  it.each([
    ['the common shape', db({ _id: new ObjectId(), resources: { requests: { cpu: '1' } } })],
    ['an engine name (schema path)', db({ _id: 'id-1', kind: undefined, engine: 'postgres' })],
    ['an invalid document', db({ _id: new ObjectId(), replicas: -1, extra: 'kept in the dead letter' })],
    ['an oversize document', db({ _id: new ObjectId(), padding: 'x'.repeat(5_000) })],
  ])('publishes %s as the decoded document would', (_label, document) => {
    const read = new SnapshotRead('databases', serialize(document), clusterTime);
    expect(translateChange(read, new KeyIndex(), snapshotContext)).toEqual(
      translateChange(decoded(read), new KeyIndex(), snapshotContext),
    );
  });
});

describe('tombstonesForVanished', () => {
  it('tombstones keys no snapshotted document holds any more', () => {
    const before = new KeyIndex();
    before.set('d1', 'k1');
    before.set('d2', 'k2');
    before.set('d3', 'k3');
    const after = new KeyIndex();
    after.set('d1', 'k1');
    after.set('d3', 'k3-renamed');
    after.set('d9', 'k2');
    const out = tombstonesForVanished('databases', before, after, 's1');
    expect(out.map((o) => [o.key, o.value])).toEqual([['k3', null]]);
  });
});
