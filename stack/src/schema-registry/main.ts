import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadRegistryFile, saveRegistryFile } from './registry-file.ts';
import { createRegistryServer } from './registry-server.ts';
import { RegistryStore } from './registry-store.ts';

/**
 * The schema registry stand-in's process (DEV/TEST ONLY): `node main.ts --port 8081 --data <file>`.
 * Binds 127.0.0.1 unless --host says otherwise; SIGTERM/SIGINT close it.
 */
const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8081' },
    data: { type: 'string' },
    marker: { type: 'string' },
  },
});

const logger = pino({ name: 'schema-registry', base: { component: 'schema-registry' } });
const file = values.data;
if (!file) {
  logger.fatal('--data <file> is required');
  process.exit(2);
}
const store = new RegistryStore(await loadRegistryFile(file));
const server = createRegistryServer(store, () => saveRegistryFile(file, store.snapshot()), logger);
server.listen(Number(values.port), values.host, () => {
  logger.warn(
    { host: values.host, port: Number(values.port), data: file, subjects: store.subjects().length },
    'schema registry stand-in listening — DEV/TEST ONLY (Confluent REST API subset, AVRO only, no auth)',
  );
});
const stop = (): void => {
  logger.info('schema registry stopping');
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
