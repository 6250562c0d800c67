import type { DriftEvent } from '@driftline/schemas';
import { describe, expect, it } from 'vitest';
import { driftLine } from './drift-line.ts';

const base = {
  eventId: 'e1',
  key: 'provider-01/tenant-a/MongoDB/db-00000',
  provider: 'provider-01',
  namespace: 'tenant-a',
  kind: 'MongoDB',
  name: 'db-00000',
  fingerprint: 'f',
  sequence: 1,
  provenance: {
    desiredGeneration: 2,
    desiredSourceTimestampMs: null,
    observedResourceVersion: '7',
    observedGeneration: 1,
    observedSourceTimestampMs: null,
    observedAtMs: null,
  },
  operationIds: [],
  detectedAtMs: 0,
  correlationId: 'c',
} satisfies Partial<DriftEvent>;

describe('driftLine', () => {
  it('names the key and each difference with its remediation', () => {
    const event: DriftEvent = {
      ...base,
      status: 'opened',
      keyStatus: 'drifting',
      differences: [
        {
          path: 'spec.replicas',
          desired: '4',
          observed: '3',
          desiredNormalized: '4',
          observedNormalized: '3',
          remediation: 'HorizontalScaling',
        },
      ],
    };
    expect(driftLine(event, Date.UTC(2026, 0, 1, 12, 1, 2))).toBe(
      '12:01:02  opened   provider-01/tenant-a/MongoDB/db-00000  spec.replicas want 4 have 3 (HorizontalScaling)',
    );
  });

  it('says a resolved key is in sync again', () => {
    const event: DriftEvent = { ...base, status: 'resolved', keyStatus: 'in_sync', differences: [] };
    expect(driftLine(event, 0)).toContain('resolved provider-01/tenant-a/MongoDB/db-00000  in sync again');
  });
});
