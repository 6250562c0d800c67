// Checks the deployment artifacts against the code they deploy, without a network or a container
// engine: `node scripts/check-deployment.ts` exits 1 and lists every problem it finds.
//
// - Dockerfile: copies every workspace's package.json (npm ci needs them all), runs as a numeric
//   non-root user, on Node 24; .dockerignore keeps every file a service's main.ts imports, and every
//   package those files import is a production dependency in package-lock.json (`npm ci
//   --omit=dev` installs nothing else).
// - compose.yaml: every service with a main.ts has a compose service; every variable compose sets
//   for it is declared by its configSchema and parses there; every published port is bound to
//   127.0.0.1; each driftline service has a healthcheck on its own HTTP_PORT.
// - helm/driftline: Chart.yaml and values.yaml parse; every deployable service has a values entry
//   whose `env` names only its own, non-secret variables; terminationGracePeriodSeconds exceeds the
//   shutdown deadline; the templates grant no RBAC. With `helm` on PATH (or HELM=<path>) it also
//   runs `helm lint --strict` and checks the rendered manifests; without it, it says so on stdout (never
//   silently), and with DRIFTLINE_REQUIRE_HELM=true that is a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigSchema } from '@driftline/shared/config';
import { parse, parseAllDocuments } from 'yaml';

// `--root=<dir>` checks another checkout (used to prove each check fails on a broken copy).
const rootArgument = process.argv.find((argument) => argument.startsWith('--root='));
const root = rootArgument === undefined ? join(import.meta.dirname, '..') : resolve(rootArgument.slice(7));
const problems: string[] = [];
const notes: string[] = [];
const fail = (message: string): void => void problems.push(message);
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Services deployed by the chart; fleet-sim is a test fleet, run only in compose's demo profile. */
const demoOnly = new Set(['fleet-sim']);
const services = readdirSync(join(root, 'services')).filter((name) =>
  existsSync(join(root, 'services', name, 'src', 'config.ts')),
);
const runnable = services.filter((name) => existsSync(join(root, 'services', name, 'src', 'main.ts')));
for (const name of services.filter((s) => !runnable.includes(s))) {
  notes.push(`services/${name} has a config.ts but no main.ts yet: its deployment entries are not checked`);
}
const schemas = new Map<string, ConfigSchema>();
for (const name of services) {
  const file = pathToFileURL(join(root, 'services', name, 'src', 'config.ts')).href;
  const module = (await import(file)) as { configSchema?: ConfigSchema };
  if (module.configSchema === undefined) fail(`services/${name}/src/config.ts exports no configSchema`);
  else schemas.set(name, module.configSchema);
}

/** checkEnv: every variable is declared by `service`'s schema, parses there, and (optionally) is not secret. */
function checkEnv(where: string, service: string, env: Record<string, unknown>, allowSecrets: boolean): void {
  const schema = schemas.get(service);
  if (schema === undefined) return;
  for (const [name, raw] of Object.entries(env)) {
    const declared = schema.variables.find((variable) => variable.name === name);
    if (declared === undefined) {
      fail(`${where}: ${name} is not a variable of services/${service}/src/config.ts`);
      continue;
    }
    if (declared.secret && !allowSecrets) fail(`${where}: ${name} is a secret; reference it from a Secret`);
    // Compose interpolation: `${VAR:-default}` takes its default, `${VAR}` is empty, `$$` is `$`.
    const value = String(raw ?? '')
      .replace(/\$\{[A-Z0-9_]+(?::?-([^}]*))?\}/g, (_match, fallback?: string) => fallback ?? '')
      .replaceAll('$$', '$');
    const parsed = schema.shape[name]?.safeParse(value);
    if (parsed !== undefined && !parsed.success) {
      fail(`${where}: ${name}=${JSON.stringify(value)} does not parse: ${parsed.error.issues[0]?.message}`);
    }
  }
}

// ---- Dockerfile and .dockerignore ----------------------------------------------------------------
const dockerfile = read('Dockerfile');
const rootPackage = JSON.parse(read('package.json')) as { workspaces: string[] };
const workspaces = rootPackage.workspaces.flatMap((pattern) =>
  pattern.endsWith('/*')
    ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${pattern.slice(0, -2)}/${entry.name}`)
    : [pattern],
);
for (const workspace of workspaces.filter((w) => existsSync(join(root, w, 'package.json')))) {
  if (!new RegExp(`^COPY ${workspace}/package\\.json ${workspace}/?$`, 'm').test(dockerfile)) {
    fail(`Dockerfile: the deps stage must COPY ${workspace}/package.json (npm ci checks every workspace)`);
  }
}
const user = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1];
if (user === undefined || !/^[1-9]\d*(:\d+)?$/.test(user)) {
  fail(`Dockerfile: the final USER must be a numeric non-root uid (runAsNonRoot checks it), got ${user}`);
}
if (!/^ARG NODE_IMAGE=node:24[-\w.]*$/m.test(dockerfile)) fail('Dockerfile: the base image must be Node 24');
if (!dockerfile.includes('npm ci --omit=dev'))
  fail('Dockerfile: production dependencies only (npm ci --omit=dev)');

/** dockerignored: whether Docker's build context drops `path` (patterns as we write them: `*`, `**`, `!`). */
const ignorePatterns = read('.dockerignore')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
function dockerignored(path: string): boolean {
  let ignored = false;
  for (const raw of ignorePatterns) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '');
    const source = pattern
      .split('/')
      .map((part) =>
        part === '**' ? '.*' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'),
      )
      .join('/')
      .replace(/\.\*\//g, '(?:.*/)?');
    // A pattern naming a directory drops everything below it.
    if (new RegExp(`^${source}(?:/.*)?$`).test(path)) ignored = !negated;
  }
  return ignored;
}

const lock = JSON.parse(read('package-lock.json')) as {
  packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
};
// Type-only imports are erased before Node runs the file, so they need no installed package.
const importPattern =
  /(?:^|[\s;])(?:import|export)\s(?!type\s)(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
/** resolveWorkspace maps a `@driftline/...` specifier to its source file, as the exports maps do. */
function resolveWorkspace(specifier: string): string | undefined {
  const shared = /^@driftline\/shared\/([\w-]+)$/.exec(specifier);
  if (shared !== null) return `shared/src/${shared[1]}/index.ts`;
  if (specifier === '@driftline/schemas') return 'schemas/src/index.ts';
  const service = /^@driftline\/([\w-]+)$/.exec(specifier);
  return service === null ? undefined : `services/${service[1]}/src/index.ts`;
}
for (const name of runnable) {
  const seen = new Set<string>();
  const queue = [`services/${name}/src/main.ts`];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    if (!existsSync(join(root, file))) {
      fail(`${name}: ${file} is imported but does not exist`);
      continue;
    }
    if (dockerignored(file)) fail(`.dockerignore drops ${file}, which ${name}'s main.ts imports`);
    if (file.endsWith('.test.ts')) fail(`${name}: production code imports a test file, ${file}`);
    for (const match of read(file).matchAll(importPattern)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (specifier.startsWith('node:')) continue;
      if (specifier.startsWith('.')) {
        queue.push(relative(root, resolve(root, dirname(file), specifier)));
        continue;
      }
      const workspaceFile = resolveWorkspace(specifier);
      if (workspaceFile !== undefined) {
        queue.push(workspaceFile);
        continue;
      }
      const parts = specifier.split('/');
      const pkg = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
      const entry = lock.packages[`node_modules/${pkg}`];
      if (entry === undefined)
        fail(`${name}: ${file} imports ${pkg}, which package-lock.json does not install`);
      else if (entry.dev === true || entry.devOptional === true) {
        fail(
          `${name}: ${file} imports ${pkg}, a dev-only package: npm ci --omit=dev leaves it out of the image ` +
            `(declare it in that workspace's dependencies)`,
        );
      }
    }
  }
}
// Read at run time, not imported: the Avro schemas, and the manifests npm ci needs.
const avroSchemas = readdirSync(join(root, 'schemas')).filter((f) => f.endsWith('.avsc'));
for (const kept of [...avroSchemas.map((f) => `schemas/${f}`), 'package-lock.json', 'package.json']) {
  if (dockerignored(kept)) fail(`.dockerignore drops ${kept}, which the image needs`);
}

// ---- compose.yaml --------------------------------------------------------------------------------
const compose = parse(read('compose.yaml'), { merge: true }) as { services?: Record<string, unknown> };
const composeServices = Object.entries(compose.services ?? {}).filter(
  (entry): entry is [string, Record<string, unknown>] => isRecord(entry[1]),
);
for (const [id, service] of composeServices) {
  if (service['network_mode'] === 'host') fail(`compose.yaml: ${id} uses the host network`);
  for (const port of (service['ports'] as unknown[] | undefined) ?? []) {
    const bound = isRecord(port) ? port['host_ip'] === '127.0.0.1' : String(port).startsWith('127.0.0.1:');
    if (!bound) fail(`compose.yaml: ${id} publishes ${JSON.stringify(port)} not bound to 127.0.0.1`);
  }
  const command = service['command'];
  const target = Array.isArray(command) && typeof command[0] === 'string' ? command[0] : undefined;
  if (target === undefined || !schemas.has(target) || service['build'] === undefined) continue;
  // A driftline container: its environment must be its service's own configuration.
  const env = isRecord(service['environment']) ? service['environment'] : {};
  checkEnv(`compose.yaml ${id}`, target, env, true);
  const port = String(env['HTTP_PORT'] ?? '');
  if (target !== 'fleet-sim') {
    if (port === '') fail(`compose.yaml: ${id} sets no HTTP_PORT`);
    if (!isRecord(service['healthcheck'])) fail(`compose.yaml: ${id} has no healthcheck`);
    else if (!JSON.stringify(service['healthcheck']).includes('/readyz')) {
      fail(`compose.yaml: ${id}'s healthcheck does not ask /readyz`);
    }
    const published = ((service['ports'] as unknown[] | undefined) ?? []).map((p) =>
      isRecord(p) ? String(p['target']) : String(p).split(':').at(-1),
    );
    if (service['network_mode'] === undefined && !published.includes(port)) {
      fail(`compose.yaml: ${id} does not publish its ops port ${port}`);
    }
  }
  if (target !== 'fleet-sim' && !isRecord(service['depends_on']))
    fail(`compose.yaml: ${id} needs depends_on with conditions`);
}
for (const name of runnable) {
  const found = composeServices.find(([, s]) => Array.isArray(s['command']) && s['command'][0] === name);
  if (found === undefined) fail(`compose.yaml: no service runs ${name}`);
  else if (demoOnly.has(name) && !JSON.stringify(found[1]['profiles'] ?? []).includes('demo')) {
    fail(`compose.yaml: ${name} belongs in the demo profile`);
  }
}

// ---- helm/driftline --------------------------------------------------------------------------------
const chartDir = 'helm/driftline';
const chart = parse(read(`${chartDir}/Chart.yaml`)) as Record<string, unknown>;
if (chart['apiVersion'] !== 'v2' || chart['name'] !== 'driftline' || typeof chart['version'] !== 'string') {
  fail(`${chartDir}/Chart.yaml: needs apiVersion v2, name driftline and a version`);
}
const values = parse(read(`${chartDir}/values.yaml`)) as Record<string, unknown>;
const valueServices = isRecord(values['services']) ? values['services'] : {};
for (const name of runnable.filter((n) => !demoOnly.has(n))) {
  if (!isRecord(valueServices[name])) fail(`${chartDir}/values.yaml: services.${name} is missing`);
}
for (const [name, raw] of Object.entries(valueServices)) {
  if (!isRecord(raw)) continue;
  if (!schemas.has(name)) fail(`${chartDir}/values.yaml: services.${name} is not a service with a config.ts`);
  checkEnv(
    `${chartDir}/values.yaml services.${name}.env`,
    name,
    isRecord(raw['env']) ? raw['env'] : {},
    false,
  );
  const variables = schemas.get(name)?.variables ?? [];
  const port = variables.find((v) => v.name === 'HTTP_PORT')?.defaultValue;
  if (port !== undefined && String(raw['port']) !== port) {
    fail(
      `${chartDir}/values.yaml: services.${name}.port ${String(raw['port'])} is not the service's ${port}`,
    );
  }
  const drain = Number(
    variables.find((v) => v.name.endsWith('_SHUTDOWN_TIMEOUT_MS'))?.defaultValue ?? 25_000,
  );
  if (Number(raw['terminationGracePeriodSeconds']) * 1000 <= drain) {
    fail(`${chartDir}/values.yaml: services.${name}.terminationGracePeriodSeconds must exceed ${drain} ms`);
  }
}
const templates = readdirSync(join(root, chartDir, 'templates'));
for (const required of [
  '_helpers.tpl',
  'NOTES.txt',
  'deployment.yaml',
  'service.yaml',
  'servicemonitor.yaml',
]) {
  if (!templates.includes(required)) fail(`${chartDir}/templates/${required} is missing`);
}
const templateText = templates.map((t) => read(`${chartDir}/templates/${t}`)).join('\n');
if (/^kind:\s*(Cluster)?Role(Binding)?\b/m.test(templateText)) {
  fail(`${chartDir}: a template grants RBAC, but no service calls the Kubernetes API of its own cluster`);
}
// Static env check of the helper: each variable it emits must be declared by the services that get it.
const helpers = read(`${chartDir}/templates/_helpers.tpl`).replace(/\{\{\/\*[\s\S]*?\*\/\}\}/g, '');
const helperEnv = [...helpers.matchAll(/"name" "([A-Z_]+)"|- name: ([A-Z_]+)$/gm)];
for (const match of helperEnv) {
  const variable = match[1] ?? match[2] ?? '';
  const owners = variable.startsWith('WATCHER_')
    ? ['watcher']
    : variable.startsWith('DESIRED_')
      ? ['desired']
      : variable.startsWith('MONGO_')
        ? ['desired', 'sink']
        : Object.keys(valueServices);
  for (const owner of owners) {
    if (!schemas.get(owner)?.variables.some((v) => v.name === variable)) {
      fail(`${chartDir}/templates/_helpers.tpl sets ${variable}, which ${owner} does not declare`);
    }
  }
}

// ---- helm lint + template, when helm is installed ----------------------------------------------------
const helm = process.env['HELM'] ?? 'helm';
// helm's built-in default Kubernetes version is older than the chart's kubeVersion floor.
const renderValues = [
  '--kube-version=1.30.0',
  '--set=mongo.existingSecret=driftline-mongo',
  '--set=credentialsKey.existingSecret=driftline-credentials-key',
  '--set=serviceMonitor.enabled=true',
];
const probe = spawnSync(helm, ['version', '--short'], { encoding: 'utf8' });
if (probe.error !== undefined) {
  const message = `helm not found (${helm}): lint and render checks of ${chartDir} skipped`;
  // helm is not in any registry these machines reach except as Go source (a ~15 min build on two
  // cores), so CI states the skip loudly instead; DRIFTLINE_REQUIRE_HELM=true makes it a failure.
  if (process.env['DRIFTLINE_REQUIRE_HELM'] === 'true') fail(`${message}; DRIFTLINE_REQUIRE_HELM is set`);
  else notes.push(message);
} else {
  const lint = spawnSync(helm, ['lint', '--strict', join(root, chartDir), ...renderValues.slice(1)], {
    encoding: 'utf8',
  });
  if (lint.status !== 0) fail(`helm lint --strict failed:\n${lint.stdout}${lint.stderr}`);
  // Each Secret a service cannot run without must be demanded by name, not silently defaulted.
  for (const secret of ['mongo.existingSecret', 'credentialsKey.existingSecret']) {
    const without = renderValues.filter((v) => !v.startsWith(`--set=${secret}=`));
    const bare = spawnSync(helm, ['template', 'x', join(root, chartDir), ...without], { encoding: 'utf8' });
    if (bare.status === 0 || !bare.stderr.includes(secret)) {
      fail(`helm template without ${secret} must fail naming it; got: ${bare.stderr.trim() || 'success'}`);
    }
  }
  const rendered = spawnSync(helm, ['template', 'drift', join(root, chartDir), ...renderValues], {
    encoding: 'utf8',
  });
  if (rendered.status !== 0) fail(`helm template failed: ${rendered.stderr}`);
  else checkRendered(parseAllDocuments(rendered.stdout).map((d) => d.toJS() as unknown));
}

// ---- docker compose config, when the compose plugin is installed ----------------------------------------
// `docker compose config` validates against the Compose specification's schema (no engine needed).
const composeProbe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
if (composeProbe.status === 0) {
  const config = spawnSync(
    'docker',
    ['compose', '-f', join(root, 'compose.yaml'), '--profile', 'demo', 'config', '--quiet'],
    { encoding: 'utf8' },
  );
  if (config.status !== 0) fail(`docker compose config rejects compose.yaml: ${config.stderr}`);
} else {
  notes.push('docker compose not installed: compose.yaml was not validated against the Compose schema');
}

function checkRendered(documents: unknown[]): void {
  const objects = documents.filter(isRecord);
  const kinds = objects.map((o) => String(o['kind']));
  for (const kind of ['ServiceMonitor']) if (!kinds.includes(kind)) fail(`rendered chart has no ${kind}`);
  for (const name of runnable.filter((n) => !demoOnly.has(n))) {
    const deployment = objects.find(
      (o) =>
        o['kind'] === 'Deployment' &&
        JSON.stringify(o['metadata']).includes(`"app.kubernetes.io/component":"${name}"`),
    );
    if (deployment === undefined) {
      fail(`rendered chart has no Deployment for ${name}`);
      continue;
    }
    for (const kind of ['Service', 'ServiceAccount', 'PodDisruptionBudget']) {
      const found = objects.some(
        (o) =>
          o['kind'] === kind &&
          JSON.stringify(o['metadata']).includes(`"app.kubernetes.io/component":"${name}"`),
      );
      if (!found) fail(`rendered chart has no ${kind} for ${name}`);
    }
    const pod = (deployment['spec'] as { template: { spec: Record<string, unknown> } }).template.spec;
    const container = (pod['containers'] as Record<string, unknown>[])[0] ?? {};
    const env = Object.fromEntries(
      ((container['env'] as { name: string; value?: string }[] | undefined) ?? [])
        .filter((e) => e.value !== undefined)
        .map((e) => [e.name, e.value]),
    );
    checkEnv(`rendered Deployment ${name}`, name, env, false);
    const all = ((container['env'] as { name: string }[] | undefined) ?? []).map((e) => e.name);
    for (const variable of all) {
      if (!schemas.get(name)?.variables.some((v) => v.name === variable)) {
        fail(`rendered Deployment ${name}: ${variable} is not one of its variables`);
      }
    }
    const text = JSON.stringify(container);
    for (const [what, needle] of [
      ['readiness on /readyz', '"readinessProbe":{"httpGet":{"path":"/readyz"'],
      ['liveness on /healthz', '"livenessProbe":{"httpGet":{"path":"/healthz"'],
      ['a read-only root filesystem', '"readOnlyRootFilesystem":true'],
      ['all capabilities dropped', '"drop":["ALL"]'],
      ['no privilege escalation', '"allowPrivilegeEscalation":false'],
    ] as const) {
      if (!text.includes(needle)) fail(`rendered Deployment ${name} lacks ${what}`);
    }
    if (!JSON.stringify(pod['securityContext']).includes('"runAsNonRoot":true')) {
      fail(`rendered Deployment ${name} does not require a non-root user`);
    }
    if (pod['automountServiceAccountToken'] !== false) {
      fail(`rendered Deployment ${name} mounts a service account token it never uses`);
    }
  }
}

for (const note of notes) console.log(`note: ${note}`);
if (problems.length > 0) {
  console.error(
    `check-deployment: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
  process.exit(1);
}
console.log('check-deployment: Dockerfile, compose.yaml and helm/driftline agree with the services');
