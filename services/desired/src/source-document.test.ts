import { describe, expect, it } from 'vitest';
import { databaseDocumentSchema, providerDocumentSchema, validateDocument } from './source-document.ts';

const database = {
  _id: 'x',
  provider: 'prov-1',
  namespace: 'team-a',
  kind: 'Postgres',
  name: 'orders',
  version: '16.1',
  replicas: 3,
  storage: '10Gi',
  resources: { requests: { cpu: 0.5, memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
  halted: false,
  generation: 7,
  updatedAt: new Date(1_700_000_000_000),
  extra: 'ignored',
};

describe('databaseDocumentSchema', () => {
  it('normalises a full document', () => {
    const result = validateDocument(databaseDocumentSchema, database, 200, 1000);
    expect(result).toEqual({
      ok: true,
      value: {
        provider: 'prov-1',
        namespace: 'team-a',
        kind: 'Postgres',
        name: 'orders',
        version: '16.1',
        replicas: 3,
        storage: '10Gi',
        resources: { requests: { cpu: '0.5', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
        halted: false,
        generation: 7,
        updatedAtMs: 1_700_000_000_000,
      },
    });
  });

  it('resolves engine to a KubeDB kind and applies defaults', () => {
    const { kind: _kind, resources: _r, halted: _h, generation: _g, storage: _s, ...rest } = database;
    const result = validateDocument(databaseDocumentSchema, { ...rest, engine: 'mongodb' }, 10, 1000);
    expect(result.ok && result.value).toMatchObject({
      kind: 'MongoDB',
      halted: false,
      generation: null,
      storage: null,
      resources: { requests: { cpu: null, memory: null }, limits: { cpu: null, memory: null } },
    });
  });

  it.each([
    ['missing provider', { provider: undefined }, 'provider'],
    ['slash in name', { name: 'a/b' }, 'name'],
    ['negative replicas', { replicas: -1 }, 'replicas'],
    ['bad quantity', { storage: 'ten gigs' }, 'storage'],
    ['unknown engine', { kind: undefined, engine: 'oracle' }, 'engine'],
    ['no kind nor engine', { kind: undefined }, 'kind'],
  ])('rejects %s naming the field', (_label, patch, field) => {
    const result = validateDocument(databaseDocumentSchema, { ...database, ...patch }, 10, 1000);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.kind).toBe('invalid');
      expect(result.reason).toContain(field);
    }
  });

  it('rejects an oversize document before parsing', () => {
    const result = validateDocument(databaseDocumentSchema, database, 1001, 1000);
    expect(result).toMatchObject({ ok: false, kind: 'oversize' });
  });
});

const secret = 'canary-secret-token-91';
const provider = {
  _id: 'prov-1',
  displayName: 'Frankfurt 1',
  server: 'https://k8s.example:6443',
  credentials: { token: secret },
};

describe('providerDocumentSchema', () => {
  it('takes the id from a string _id and defaults kinds and namespaces', () => {
    const result = validateDocument(providerDocumentSchema, provider, 10, 1000);
    expect(result.ok && result.value).toMatchObject({
      id: 'prov-1',
      kinds: ['MongoDB', 'Postgres', 'MySQL', 'MariaDB', 'Redis'],
      namespaces: [],
      allowInsecureHttp: false,
      credentials: { token: secret },
      credentialsRef: null,
    });
  });

  it('accepts a credentials reference alone', () => {
    const { credentials: _c, ...rest } = provider;
    const result = validateDocument(
      providerDocumentSchema,
      { ...rest, credentialsRef: 'driftline/prov-1' },
      10,
      1000,
    );
    expect(result.ok).toBe(true);
  });

  it.each([
    ['http without allowInsecureHttp', { server: 'http://k8s.example' }, 'server'],
    ['no credentials at all', { credentials: null }, 'credentials'],
    ['a certificate without key', { credentials: { clientCertificate: 'pem' } }, 'credentials'],
    ['an ObjectId-like _id without id', { _id: { oid: 1 } }, 'id'],
  ])('rejects %s', (_label, patch, field) => {
    const result = validateDocument(providerDocumentSchema, { ...provider, ...patch }, 10, 1000);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(field);
  });

  it('never quotes a credential in a rejection reason', () => {
    const result = validateDocument(
      providerDocumentSchema,
      { ...provider, server: 'ftp://x', credentials: { token: secret, clientKey: 42 } },
      10,
      1000,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).not.toContain(secret);
  });

  it('allows http with allowInsecureHttp', () => {
    const result = validateDocument(
      providerDocumentSchema,
      { ...provider, server: 'http://127.0.0.1:8080', allowInsecureHttp: true },
      1,
      9,
    );
    expect(result.ok).toBe(true);
  });
});
