import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimCluster } from '@driftline/fleet-sim';
import { WatcherHarness } from '../services/watcher/src/testing/int-harness.ts';
import { stackEndpoints } from './support/stack.ts';

// Providers reached over HTTPS, as real clusters are: a provider record whose sealed credentials
// carry the cluster's certificate authority (certificate-authority-data) and a bearer token is
// watched with plain http refused; a provider whose certificate the watcher cannot verify (no CA
// given for a self-signed server) is never trusted — nothing of it is published, its health says
// disconnected — while the verified provider syncs completely beside it.

const perProvider = 100;

describe('watcher over https', () => {
  const harness = new WatcherHarness({
    ...stackEndpoints(),
    providers: 2,
    databasesPerProvider: perProvider,
    tls: true,
  });
  let verified: SimCluster;
  let unverifiable: SimCluster;

  beforeAll(async () => {
    await harness.start();
    [verified, unverifiable] = harness.fleet.clusters as [SimCluster, SimCluster];
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('watches a provider whose CA it was given and never trusts one it cannot verify', async () => {
    expect(verified.server).toMatch(/^https:/);
    const trusted = harness.providerRecord(verified.id);
    expect(trusted.allowInsecureHttp).toBe(false);
    await harness.publishProviders([
      trusted,
      harness.providerRecord(unverifiable.id, { token: unverifiable.token }),
    ]);
    await harness.startWatcher({ WATCHER_BACKOFF_MAX_MS: '2000' });
    const of = (cluster: SimCluster) =>
      [...harness.latest().keys()].filter((k) => k.startsWith(`${cluster.id}/`));
    await harness.waitFor('every object of the verified provider', () => of(verified).length === perProvider);
    await harness.waitFor('the unverifiable provider failing its TLS handshake', () =>
      harness.events.some((e) => e.type === 'watcher.backoff' && e.provider === unverifiable.id),
    );
    expect(of(unverifiable)).toEqual([]);
    const lastHealth = harness.health.filter((h) => h.provider === unverifiable.id).at(-1);
    expect(lastHealth?.connected ?? false).toBe(false);
    await harness.waitFor('the verified provider reported connected', () =>
      harness.health.some((h) => h.provider === verified.id && h.connected),
    );
  });
});
