import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCodec, loadSchemas, readSchemaText, schemasDir } from './codec.ts';
import {
  DRIFT_STATUSES,
  KEY_STATUSES,
  REMEDIATIONS,
  type DeadLetter,
  type DesiredDatabase,
  type DriftEvent,
  type ObservedDatabase,
  type Operation,
  type ProviderHealth,
  type ProviderRecord,
} from './records.ts';
import { topicContracts, topicIds, type TopicId, type TopicValues } from './topic-contracts.ts';

const key = 'prov-1/team-a/MongoDB/orders';
const resources = { cpuRequest: '500m', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '1024Mi' };
const noResources = { cpuRequest: null, cpuLimit: null, memoryRequest: null, memoryLimit: null };
// Near 2^53 on purpose: longs must survive encode/decode exactly as numbers.
const bigMs = Number.MAX_SAFE_INTEGER - 1;

const desired: DesiredDatabase[] = [
  {
    key,
    provider: 'prov-1',
    namespace: 'team-a',
    kind: 'MongoDB',
    name: 'orders',
    version: '6.0.12',
    replicas: 3,
    storage: '10Gi',
    resources,
    halted: false,
    generation: 42,
    sourceTimestampMs: 1_764_000_000_123,
    clusterTime: '1764000000.7',
    correlationId: 'c-1',
  },
  {
    key,
    provider: 'prov-1',
    namespace: 'team-a',
    kind: 'MongoDB',
    name: 'orders',
    version: '6.0.12',
    replicas: 1,
    storage: null,
    resources: noResources,
    halted: true,
    generation: bigMs,
    sourceTimestampMs: bigMs,
    clusterTime: null,
    correlationId: '',
  },
];

const observed: ObservedDatabase[] = [
  {
    key,
    provider: 'prov-1',
    namespace: 'team-a',
    kind: 'MongoDB',
    name: 'orders',
    valid: true,
    invalidReason: null,
    version: '6.0.12',
    replicas: 3,
    storage: '10Gi',
    resources,
    halted: false,
    phase: 'Ready',
    generation: 7,
    observedGeneration: 7,
    resourceVersion: '123456',
    uid: '6f1c0d2e-1111-2222-3333-444455556666',
    sourceTimestampMs: 1_764_000_000_000,
    observedAtMs: 1_764_000_000_500,
    correlationId: 'c-2',
  },
  {
    key,
    provider: 'prov-1',
    namespace: 'team-a',
    kind: 'MongoDB',
    name: 'orders',
    valid: false,
    invalidReason: 'QUANTITY_INVALID: spec.storage "10 Gi"',
    version: null,
    replicas: null,
    storage: null,
    resources: noResources,
    halted: null,
    phase: null,
    generation: null,
    observedGeneration: null,
    resourceVersion: '1',
    uid: null,
    sourceTimestampMs: null,
    observedAtMs: bigMs,
    correlationId: 'c-3',
  },
];

const providers: ProviderRecord[] = [
  {
    id: 'prov-1',
    displayName: 'Frankfurt 1',
    server: 'https://10.0.0.1:6443',
    kinds: ['MongoDB', 'Postgres'],
    namespaces: ['team-a'],
    allowInsecureHttp: false,
    credentialsRef: null,
    credentials: { algorithm: 'AES-256-GCM', keyId: 'k1', iv: 'aXY=', tag: 'dGFn', ciphertext: 'Y2lwaGVy' },
    generation: 3,
    sourceTimestampMs: 1_764_000_000_000,
  },
  {
    id: 'prov-2',
    displayName: null,
    server: 'http://127.0.0.1:7001',
    kinds: [],
    namespaces: [],
    allowInsecureHttp: true,
    credentialsRef: 'secret/prov-2',
    credentials: null,
    generation: 0,
    sourceTimestampMs: 0,
  },
];

const health: ProviderHealth[] = [
  {
    provider: 'prov-1',
    watcherId: 'watcher-0',
    connected: true,
    circuit: 'half-open',
    lastEventAtMs: 1_764_000_000_000,
    lastBookmarkAtMs: 1_764_000_000_001,
    relists: 2,
    gones: 1,
    lastResyncAtMs: 1_764_000_000_002,
    reportedAtMs: 1_764_000_000_003,
  },
  {
    provider: 'prov-2',
    watcherId: 'watcher-1',
    connected: false,
    circuit: 'open',
    lastEventAtMs: null,
    lastBookmarkAtMs: null,
    relists: 0,
    gones: 0,
    lastResyncAtMs: null,
    reportedAtMs: bigMs,
  },
];

const drift: DriftEvent[] = [
  {
    eventId: 'e-1',
    key,
    provider: 'prov-1',
    namespace: 'team-a',
    kind: 'MongoDB',
    name: 'orders',
    status: 'opened',
    keyStatus: 'drifting',
    differences: [
      {
        path: 'resources.memoryRequest',
        desired: '1Gi',
        observed: '512Mi',
        desiredNormalized: '1073741824',
        observedNormalized: '536870912',
        remediation: 'VerticalScaling',
      },
      {
        path: 'spec.halted',
        desired: 'true',
        observed: null,
        desiredNormalized: null,
        observedNormalized: null,
        remediation: 'Manual',
      },
    ],
    fingerprint: 'fp-1',
    sequence: 1,
    provenance: {
      desiredGeneration: 42,
      desiredSourceTimestampMs: 1_764_000_000_000,
      observedResourceVersion: '123456',
      observedGeneration: 7,
      observedSourceTimestampMs: 1_764_000_000_001,
      observedAtMs: 1_764_000_000_002,
    },
    operationIds: ['op-1'],
    detectedAtMs: 1_764_000_000_003,
    correlationId: 'c-1',
  },
  {
    eventId: 'e-2',
    key,
    provider: 'prov-1',
    namespace: 'team-a',
    kind: 'MongoDB',
    name: 'orders',
    status: 'resolved',
    keyStatus: 'missing',
    differences: [],
    fingerprint: 'fp-2',
    sequence: bigMs,
    provenance: {
      desiredGeneration: null,
      desiredSourceTimestampMs: null,
      observedResourceVersion: null,
      observedGeneration: null,
      observedSourceTimestampMs: null,
      observedAtMs: null,
    },
    operationIds: [],
    detectedAtMs: bigMs,
    correlationId: 'c-2',
  },
];

const operations: Operation[] = [
  {
    operationId: 'op-1',
    key,
    provider: 'prov-1',
    namespace: 'team-a',
    kind: 'MongoDB',
    name: 'orders',
    type: 'VerticalScaling',
    opsRequestName: 'driftline-op-1',
    spec: { replicas: null, version: null, storage: null, resources },
    driftFingerprint: 'fp-1',
    driftEventId: 'e-1',
    desiredGeneration: 42,
    createdAtMs: 1_764_000_000_003,
    correlationId: 'c-1',
  },
  {
    operationId: 'op-2',
    key,
    provider: 'prov-1',
    namespace: 'team-a',
    kind: 'MongoDB',
    name: 'orders',
    type: 'HorizontalScaling',
    opsRequestName: 'driftline-op-2',
    spec: { replicas: 5, version: '7.0.1', storage: '20Gi', resources: null },
    driftFingerprint: 'fp-2',
    driftEventId: 'e-2',
    desiredGeneration: bigMs,
    createdAtMs: bigMs,
    correlationId: 'c-2',
  },
];

const deadLetters: DeadLetter[] = [
  {
    originalTopic: 'driftline.observed.v1',
    partition: 3,
    offset: '9223372036854775807',
    key: Buffer.from(key, 'utf8'),
    value: Buffer.from([0, 0, 0, 0, 1, 0xff]),
    errorCode: 'SERDE_FAILED',
    errorMessage: 'unknown magic byte',
    retryable: false,
    attempts: 1,
    service: 'reconciler',
    failedAtMs: 1_764_000_000_000,
  },
  {
    originalTopic: 'driftline.desired.v1',
    partition: 0,
    offset: '0',
    key: null,
    value: null,
    errorCode: 'KEY_INVALID',
    errorMessage: 'no key',
    retryable: true,
    attempts: 5,
    service: 'sink',
    failedAtMs: bigMs,
  },
];

const samples: { [K in TopicId]: TopicValues[K][] } = {
  providers,
  providerHealth: health,
  desired,
  observed,
  drift,
  operations,
  deadletter: deadLetters,
};

/** at returns xs[i] or fails the test: samples and schema lookups must exist. */
function at<T>(xs: readonly T[], i = 0): T {
  const x = xs[i];
  if (x === undefined) throw new Error(`no element ${i}`);
  return x;
}

/** defined returns x or fails the test. */
function defined<T>(x: T | undefined): T {
  if (x === undefined) throw new Error('undefined');
  return x;
}

interface FieldSchema {
  name: string;
  doc?: string;
  type: unknown;
  default?: unknown;
}

/** Walks every record of a schema JSON, calling `visit` for each field with its dotted path. */
function walkFields(schema: unknown, visit: (path: string, field: FieldSchema) => void, prefix = ''): void {
  if (Array.isArray(schema)) {
    for (const branch of schema) walkFields(branch, visit, prefix);
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as { type?: unknown; fields?: FieldSchema[]; items?: unknown };
  if (node.type === 'record' && node.fields) {
    for (const field of node.fields) {
      const path = prefix === '' ? field.name : `${prefix}.${field.name}`;
      visit(path, field);
      walkFields(field.type, visit, path);
    }
  } else if (node.type === 'array') {
    walkFields(node.items, visit, prefix);
  }
}

describe('topic value codecs', () => {
  const schemas = loadSchemas();

  it.each(topicIds)('%s: typed samples are valid and survive encode/decode unchanged', (id) => {
    const codec = schemas[id];
    const values = samples[id] as unknown[];
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) {
      expect(codec.isValid(value)).toBe(true);
      const decoded = (codec.decode as (b: Buffer) => unknown)(
        (codec.encode as (v: unknown) => Buffer)(value),
      );
      expect(decoded).toEqual(value);
    }
  });

  it('rejects undeclared and missing fields, so the TS types and the schemas cannot drift apart', () => {
    const first = at(desired);
    expect(schemas.desired.isValid({ ...first, extra: 1 })).toBe(false);
    const { version: _omitted, ...missing } = first;
    expect(schemas.desired.isValid(missing)).toBe(false);
    // A field the schema has but the TS type lacks would come back as null and fail the round trip.
    const { clusterTime: _absent, ...withoutNullable } = first;
    expect(schemas.desired.decode(schemas.desired.encode(withoutNullable as DesiredDatabase))).not.toEqual(
      withoutNullable,
    );
  });

  it('refuses to encode a long beyond 2^53 instead of losing precision', () => {
    expect(() => schemas.desired.encode({ ...at(desired), generation: 2 ** 53 + 2 })).toThrow();
  });

  it('decodes timestamp-millis as a plain number of epoch milliseconds', () => {
    const decoded = schemas.observed.decode(schemas.observed.encode(at(observed)));
    expect(typeof decoded.observedAtMs).toBe('number');
    expect(decoded.observedAtMs).toBe(1_764_000_000_500);
  });

  it('refuses enum symbols outside the contract when encoding', () => {
    const bad = { ...at(drift), status: 'reopened' } as unknown as DriftEvent;
    expect(() => schemas.drift.encode(bad)).toThrow();
  });

  it('reads an unknown future enum symbol as the enum default (forward compatibility for old readers)', () => {
    const schema = JSON.parse(readSchemaText('drift')) as {
      fields: { name: string; type: { symbols?: string[] } }[];
    };
    const status = defined(schema.fields.find((f) => f.name === 'status'));
    status.type.symbols = [...defined(status.type.symbols), 'suppressed'];
    const future = createCodec<DriftEvent>(JSON.stringify(schema));
    const written = future.encode({ ...at(drift), status: 'suppressed' as DriftEvent['status'] });
    const current = loadSchemas().drift.type;
    const read = current.fromBuffer(written, current.createResolver(future.type)) as DriftEvent;
    expect(read.status).toBe('changed');
  });
});

describe('schema files', () => {
  it('every .avsc in schemas/ belongs to exactly one topic contract', () => {
    const files = readdirSync(schemasDir).filter((f) => f.endsWith('.avsc'));
    expect(files.sort()).toEqual(topicIds.map((id) => topicContracts[id].schemaFile).sort());
  });

  it.each(topicIds)(
    '%s: namespace io.driftline.v1, record name as in the table, a doc on every field',
    (id) => {
      const schema = JSON.parse(readSchemaText(id)) as { name: string; namespace: string; doc?: string };
      expect(`${schema.namespace}.${schema.name}`).toBe(topicContracts[id].recordName);
      expect(schema.namespace).toBe('io.driftline.v1');
      expect(schema.doc).toBeTruthy();
      const undocumented: string[] = [];
      walkFields(schema, (path, field) => {
        if (!field.doc) undocumented.push(path);
      });
      expect(undocumented).toEqual([]);
    },
  );

  it.each(topicIds)('%s: nullable fields are ["null", T] with default null', (id) => {
    const wrong: string[] = [];
    walkFields(JSON.parse(readSchemaText(id)), (path, field) => {
      if (Array.isArray(field.type) && (field.type[0] !== 'null' || field.default !== null)) wrong.push(path);
    });
    expect(wrong).toEqual([]);
  });

  it.each(topicIds)('%s: every *Ms field is a long with logicalType timestamp-millis', (id) => {
    const wrong: string[] = [];
    walkFields(JSON.parse(readSchemaText(id)), (path, field) => {
      if (!field.name.endsWith('Ms')) return;
      const branches = Array.isArray(field.type) ? field.type.filter((t) => t !== 'null') : [field.type];
      const ok =
        branches.length === 1 &&
        JSON.stringify(branches[0]) === JSON.stringify({ type: 'long', logicalType: 'timestamp-millis' });
      if (!ok) wrong.push(path);
    });
    expect(wrong).toEqual([]);
  });

  it('enum symbols equal the TypeScript unions, and every enum has a default', () => {
    const enums = new Map<string, { symbols: string[]; default?: string }>();
    walkFields(JSON.parse(readSchemaText('drift')), (_path, field) => {
      const t = field.type as { type?: string; name?: string; symbols?: string[]; default?: string };
      if (t.type === 'enum') enums.set(defined(t.name), { symbols: defined(t.symbols), default: t.default });
    });
    expect(enums.get('DriftStatus')).toEqual({ symbols: [...DRIFT_STATUSES], default: 'changed' });
    expect(enums.get('KeyStatus')).toEqual({ symbols: [...KEY_STATUSES], default: 'unknown' });
    expect(enums.get('Remediation')).toEqual({ symbols: [...REMEDIATIONS], default: 'Manual' });
  });
});

describe('topicContracts', () => {
  it('co-partitions exactly desired, observed, drift and operations, and compacts exactly the state topics', () => {
    const coPartitioned = topicIds.filter((id) => topicContracts[id].coPartitioned);
    const compacted = topicIds.filter((id) => topicContracts[id].compacted);
    expect(coPartitioned).toEqual(['desired', 'observed', 'drift', 'operations']);
    expect(compacted).toEqual(['providers', 'providerHealth', 'desired', 'observed']);
  });

  it('default names follow driftline.<name>.v1', () => {
    for (const id of topicIds) expect(topicContracts[id].defaultName).toMatch(/^driftline\.[a-z-]+\.v1$/);
  });
});
