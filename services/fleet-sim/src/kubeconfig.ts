/** KubeconfigInput names one simulated cluster and how to reach it. */
export interface KubeconfigInput {
  readonly name: string;
  readonly server: string;
  readonly token: string;
  /** PEM certificate an https server is verified against (kubeconfig `certificate-authority-data`). */
  readonly caCertificate?: string | undefined;
  readonly namespace?: string | undefined;
}

/** Kubeconfig is the kubeconfig document as a plain object (the shape `KubeConfig.loadFromString` reads). */
export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: {
    name: string;
    cluster: {
      server: string;
      'insecure-skip-tls-verify'?: boolean;
      'certificate-authority-data'?: string;
    };
  }[];
  users: { name: string; user: { token: string } }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  'current-context': string;
  preferences: Record<string, never>;
}

/**
 * buildKubeconfig returns a kubeconfig with one cluster, one user holding an inline bearer token
 * and one current context — the only credential form the simulator accepts. A plain `http://`
 * server gets `insecure-skip-tls-verify: true`: client-node v2 refuses http without it; an https
 * one carries its certificate as `certificate-authority-data`. No exec plugins,
 * auth providers or file references, so it is also what the watcher's refusal rules allow.
 */
export function buildKubeconfig(input: KubeconfigInput): Kubeconfig {
  const user = `${input.name}-admin`;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: input.name,
        cluster: {
          server: input.server,
          ...(plainHttp(input.server) ? { 'insecure-skip-tls-verify': true } : {}),
          ...(input.caCertificate === undefined
            ? {}
            : { 'certificate-authority-data': Buffer.from(input.caCertificate).toString('base64') }),
        },
      },
    ],
    users: [{ name: user, user: { token: input.token } }],
    contexts: [
      {
        name: input.name,
        context: {
          cluster: input.name,
          user,
          ...(input.namespace !== undefined ? { namespace: input.namespace } : {}),
        },
      },
    ],
    'current-context': input.name,
    preferences: {},
  };
}

/**
 * kubeconfigYaml renders `buildKubeconfig(input)` as YAML. Every scalar is written as a JSON
 * string, which is valid YAML, so no value can break the document whatever characters it holds.
 */
export function kubeconfigYaml(input: KubeconfigInput): string {
  const config = buildKubeconfig(input);
  const q = (value: string) => JSON.stringify(value);
  const context = config.contexts[0]?.context;
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${q(input.name)}`,
    '  cluster:',
    `    server: ${q(input.server)}`,
    ...(plainHttp(input.server) ? ['    insecure-skip-tls-verify: true'] : []),
    ...(config.clusters[0]?.cluster['certificate-authority-data'] === undefined
      ? []
      : [`    certificate-authority-data: ${q(config.clusters[0].cluster['certificate-authority-data'])}`]),
    'users:',
    `- name: ${q(config.users[0]?.name ?? '')}`,
    '  user:',
    `    token: ${q(input.token)}`,
    'contexts:',
    `- name: ${q(input.name)}`,
    '  context:',
    `    cluster: ${q(input.name)}`,
    `    user: ${q(context?.user ?? '')}`,
    ...(context?.namespace !== undefined ? [`    namespace: ${q(context.namespace)}`] : []),
    `current-context: ${q(input.name)}`,
    'preferences: {}',
  ];
  return `${lines.join('\n')}\n`;
}

function plainHttp(server: string): boolean {
  return server.startsWith('http:');
}
