import { describe, expect, it } from 'vitest';
import { mergeWrite } from './generation.ts';
import type { KubeObject } from './kube-object.ts';

function obj(spec: unknown, status: unknown = { phase: 'Ready', observedGeneration: 3 }): KubeObject {
  return {
    apiVersion: 'kubedb.com/v1',
    kind: 'MongoDB',
    metadata: {
      name: 'a',
      namespace: 'ns',
      uid: 'uid-1',
      generation: 3,
      resourceVersion: '10',
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { team: 'x' },
    },
    spec,
    status,
  };
}

describe('mergeWrite', () => {
  it('bumps generation when spec changes', () => {
    const next = mergeWrite(obj({ replicas: 3 }), obj({ replicas: 5 }), 'main');
    expect(next.metadata.generation).toBe(4);
    expect(next.spec).toEqual({ replicas: 5 });
  });

  it('keeps generation when only metadata changes', () => {
    const incoming = obj({ replicas: 3 });
    incoming.metadata.labels = { team: 'y' };
    const next = mergeWrite(obj({ replicas: 3 }), incoming, 'main');
    expect(next.metadata.generation).toBe(3);
    expect(next.metadata.labels).toEqual({ team: 'y' });
  });

  it('ignores status on the main resource and spec on the status subresource', () => {
    const main = mergeWrite(obj({ replicas: 3 }), obj({ replicas: 3 }, { phase: 'Halted' }), 'main');
    expect(main.status).toEqual({ phase: 'Ready', observedGeneration: 3 });
    const status = mergeWrite(obj({ replicas: 3 }), obj({ replicas: 9 }, { phase: 'Updating' }), 'status');
    expect(status.spec).toEqual({ replicas: 3 });
    expect(status.status).toEqual({ phase: 'Updating' });
    expect(status.metadata.generation).toBe(3);
  });

  it('control writes change spec and status together', () => {
    const next = mergeWrite(obj({ replicas: 3 }), obj({ replicas: 4 }, { phase: 'Updating' }), 'control');
    expect(next.metadata.generation).toBe(4);
    expect(next.status).toEqual({ phase: 'Updating' });
  });

  it('never lets a write change identity fields', () => {
    const incoming = obj({ replicas: 3 });
    incoming.metadata.uid = 'other';
    incoming.metadata.name = 'b';
    incoming.metadata.creationTimestamp = '2030-01-01T00:00:00Z';
    const next = mergeWrite(obj({ replicas: 3 }), incoming, 'main');
    expect(next.metadata.uid).toBe('uid-1');
    expect(next.metadata.name).toBe('a');
    expect(next.metadata.creationTimestamp).toBe('2026-01-01T00:00:00Z');
  });

  it('treats a removed spec as a spec change', () => {
    const incoming = obj(undefined);
    delete incoming.spec;
    expect(mergeWrite(obj({ replicas: 3 }), incoming, 'control').metadata.generation).toBe(4);
  });
});
