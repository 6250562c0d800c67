import { describe, expect, it } from 'vitest';
import { kindByName, type KubeDbKind } from './kinds.ts';
import type { KubeObject } from './kube-object.ts';
import { applyChange, applyDefect, converged, makeDatabase } from './kubedb-object.ts';

const postgres = kindByName('Postgres') as KubeDbKind;

function stored(): KubeObject {
  const input = makeDatabase(postgres, 'team-a', 'orders', { replicas: 2, storage: '20Gi' });
  return {
    ...input,
    metadata: { ...input.metadata, uid: 'u', generation: 4, resourceVersion: '9', creationTimestamp: '' },
  };
}

describe('kubedb objects', () => {
  it('builds a realistic, converged KubeDB object', () => {
    const object = stored();
    expect(object).toMatchObject({
      apiVersion: 'kubedb.com/v1',
      kind: 'Postgres',
      spec: {
        version: '16.1',
        replicas: 2,
        storageType: 'Durable',
        storage: { resources: { requests: { storage: '20Gi' } } },
        podTemplate: {
          spec: { containers: [{ name: 'postgres', resources: { requests: { cpu: '500m' } } }] },
        },
        halted: false,
      },
      status: { phase: 'Ready', observedGeneration: 1 },
    });
  });

  it('applies a change to the spec only, leaving the original untouched', () => {
    const object = stored();
    const changed = applyChange(object, {
      replicas: 5,
      version: '16.2',
      storage: '30Gi',
      cpuLimit: '2',
      halted: true,
    });
    expect(changed.spec).toMatchObject({
      replicas: 5,
      version: '16.2',
      halted: true,
      storage: { resources: { requests: { storage: '30Gi' } } },
      podTemplate: { spec: { containers: [{ resources: { limits: { cpu: '2', memory: '2Gi' } } }] } },
    });
    expect(changed.status).toEqual(object.status);
    expect((object.spec as { replicas: number }).replicas).toBe(2);
  });

  it('converges status to the generation and the halted flag', () => {
    const halted = applyChange(stored(), { halted: true });
    expect(converged(halted).status).toEqual({ phase: 'Halted', observedGeneration: 4 });
  });

  it('makes objects malformed on purpose', () => {
    expect((applyDefect(stored(), 'replicas-not-number').spec as { replicas: unknown }).replicas).toBe(
      'three',
    );
    expect(applyDefect(stored(), 'missing-spec').spec).toBeUndefined();
    expect(JSON.stringify(applyDefect(stored(), 'unparsable-storage').spec)).toContain('"lots"');
  });
});
