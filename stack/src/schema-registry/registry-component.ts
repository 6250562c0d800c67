import path from 'node:path';
import type { LocalComponent } from '../component.ts';
import type { StackConfig } from '../config/stack-config.ts';
import { processMarker } from '../process/process-ownership.ts';

/**
 * schemaRegistryComponent is the stack's Confluent-API schema registry stand-in (DEV/TEST ONLY),
 * run by the same Node.js that runs the stack CLI. Its schemas persist in
 * `<stackDir>/schema-registry/registry.json`, so ids survive a restart.
 * Ready = GET /subjects answers 200.
 */
export function schemaRegistryComponent(config: StackConfig): LocalComponent {
  const marker = processMarker('schema-registry', config.stackDir);
  const { port, url } = config.schemaRegistry;
  return {
    name: 'schema-registry',
    port,
    endpoint: url,
    marker,
    needsJvm: false,
    startTimeoutMs: 20_000,
    async prepare() {
      // The server creates its data folder itself.
    },
    launch() {
      return {
        command: process.execPath,
        args: [
          path.join(config.repoDir, 'stack', 'src', 'schema-registry', 'main.ts'),
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--data',
          path.join(config.stackDir, 'schema-registry', 'registry.json'),
          '--marker',
          marker,
        ],
        cwd: config.repoDir,
        logFile: path.join(config.stackDir, 'logs', 'schema-registry.log'),
      };
    },
    probe: () => probeSchemaRegistry(url),
  };
}

/** probeSchemaRegistry is true when GET <url>/subjects answers 200 within 2 s. Never throws. */
export async function probeSchemaRegistry(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
