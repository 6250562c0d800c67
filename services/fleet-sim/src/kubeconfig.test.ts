import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { buildKubeconfig, kubeconfigYaml } from './kubeconfig.ts';

describe('kubeconfig', () => {
  const input = {
    name: 'provider-1',
    server: 'http://127.0.0.1:1234',
    token: 'tok"en: #x',
    namespace: 'dbs',
  };

  it('renders YAML that client-node loads to the same cluster, user and token', () => {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigYaml(input));
    expect(kc.getCurrentCluster()?.server).toBe('http://127.0.0.1:1234');
    expect(kc.getCurrentUser()?.token).toBe('tok"en: #x');
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('dbs');
  });

  it('builds the object form with inline credentials only', () => {
    const config = buildKubeconfig(input);
    expect(config['current-context']).toBe('provider-1');
    expect(config.users).toEqual([{ name: 'provider-1-admin', user: { token: 'tok"en: #x' } }]);
    const kc = new KubeConfig();
    kc.loadFromString(JSON.stringify(config));
    expect(kc.getCurrentUser()?.token).toBe('tok"en: #x');
  });

  it('gives an https server its certificate authority and no TLS opt-out', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigYaml({ ...input, server: 'https://127.0.0.1:1234', caCertificate: pem }));
    const cluster = kc.getCurrentCluster();
    expect(cluster?.server).toBe('https://127.0.0.1:1234');
    expect(Buffer.from(cluster?.caData ?? '', 'base64').toString()).toBe(pem);
    expect(cluster?.skipTLSVerify).toBe(false);
  });
});
