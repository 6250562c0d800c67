// Regenerates the README's configuration table from each service's zod schema
// (`services/<name>/src/config.ts` exporting `configSchema`), between the config-table markers.
// `--check` rewrites nothing and exits 1 when the README is stale (CI); `--readme=<path>` targets
// another file (tests).
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { renderConfigTable, replaceConfigSection, type ConfigSchema } from '@driftline/shared/config';

const root = join(import.meta.dirname, '..');
const readmeArgument = process.argv.find((argument) => argument.startsWith('--readme='));
const readmePath =
  readmeArgument === undefined ? join(root, 'README.md') : readmeArgument.slice('--readme='.length);
const servicesDir = join(root, 'services');

async function serviceTables(): Promise<string[]> {
  const tables: string[] = [];
  for (const service of readdirSync(servicesDir).sort()) {
    const file = join(servicesDir, service, 'src', 'config.ts');
    if (!existsSync(file)) continue;
    const module = (await import(pathToFileURL(file).href)) as { configSchema?: ConfigSchema };
    if (module.configSchema === undefined) {
      throw new Error(`${file} must export configSchema (from defineConfig)`);
    }
    tables.push(renderConfigTable(service, module.configSchema));
  }
  return tables;
}

const check = process.argv.includes('--check');
const readme = await readFile(readmePath, 'utf8');
const tables = await serviceTables();
const section = tables.length > 0 ? tables.join('\n\n') : '_No service declares its configuration yet._';
const options = (await prettier.resolveConfig(readmePath)) ?? {};
// Only the generated section is formatted (the way `prettier --check` expects, so the two checks
// never disagree); the rest of the README is left exactly as written.
const formatted = await prettier.format(section, { ...options, parser: 'markdown' });
const next = replaceConfigSection(readme, formatted);

if (check) {
  if (next !== readme) {
    console.error(`${readmePath}: configuration table is stale: run \`node scripts/config-table.ts\`.`);
    process.exit(1);
  }
  console.log(`${readmePath}: configuration table is up to date (${tables.length} services).`);
} else if (next !== readme) {
  await writeFile(readmePath, next);
  console.log(`${readmePath}: configuration table rewritten (${tables.length} services).`);
} else {
  console.log(`${readmePath}: configuration table already up to date.`);
}
