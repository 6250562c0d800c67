import { describe, expect, it } from 'vitest';
import { HealthTable } from './kafka-health-table.ts';
import type { HealthChange } from './topology.ts';
import { healthRecord } from './test-records.ts';

describe('HealthTable', () => {
  it('replays the current table to a late subscriber, then streams changes; a tombstone removes a provider', () => {
    const table = new HealthTable();
    table.apply('prov-a', healthRecord({ provider: 'prov-a', reportedAtMs: 1 }));
    table.apply('prov-b', healthRecord({ provider: 'prov-b' }));
    table.apply('prov-a', healthRecord({ provider: 'prov-a', reportedAtMs: 2 }));
    table.apply('prov-b', null);
    const seen: HealthChange[] = [];
    const subscription = table.changes$().subscribe((change) => seen.push(change));
    expect(seen.map((c) => [c.provider, c.value?.reportedAtMs])).toEqual([['prov-a', 2]]);
    table.apply('prov-c', healthRecord({ provider: 'prov-c', reportedAtMs: 3 }));
    expect(seen.map((c) => c.provider)).toEqual(['prov-a', 'prov-c']);
    expect(table.size).toBe(2);
    subscription.unsubscribe();
    table.apply('prov-d', healthRecord({ provider: 'prov-d' }));
    expect(seen).toHaveLength(2);
  });
});
