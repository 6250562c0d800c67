import { describe, expect, it } from 'vitest';
import type { KubeObject } from './kube-object.ts';
import { parseSelectors } from './selector.ts';

function obj(name: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'kubedb.com/v1',
    kind: 'MongoDB',
    metadata: {
      name,
      namespace: 'ns',
      uid: 'u',
      generation: 1,
      resourceVersion: '1',
      creationTimestamp: '',
      labels,
    },
  };
}

function matches(label: string | undefined, field: string | undefined, o: KubeObject): boolean {
  const parsed = parseSelectors(label, field);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.matches(o);
}

describe('parseSelectors', () => {
  const a = obj('a', { tier: 'gold', env: 'prod' });
  it('matches equality, inequality, existence and set terms', () => {
    expect(matches('tier=gold,env==prod', undefined, a)).toBe(true);
    expect(matches('tier!=gold', undefined, a)).toBe(false);
    expect(matches('tier', undefined, a)).toBe(true);
    expect(matches('!tier', undefined, a)).toBe(false);
    expect(matches('env in (dev,prod),tier notin (silver)', undefined, a)).toBe(true);
    expect(matches('env in (dev)', undefined, a)).toBe(false);
  });
  it('matches metadata.name and metadata.namespace fields', () => {
    expect(matches(undefined, 'metadata.name=a', a)).toBe(true);
    expect(matches(undefined, 'metadata.namespace!=ns', a)).toBe(false);
  });
  it('refuses unsupported fields and garbage', () => {
    expect(parseSelectors(undefined, 'spec.replicas=3').ok).toBe(false);
    expect(parseSelectors('a b c', undefined).ok).toBe(false);
  });
});
