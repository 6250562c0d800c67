import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineConfig, type ConfigSchema } from './define-config.ts';
import {
  kafkaConfigShape,
  loggingConfigShape,
  mongoConfigShape,
  opsServerConfigShape,
  schemaRegistryConfigShape,
  topicsConfigShape,
} from './fragments.ts';
import { conventionViolations, describeVariable, required, secret, variable } from './variable.ts';

const servicesDir = join(import.meta.dirname, '../../../services');

async function serviceSchemas(): Promise<[string, ConfigSchema][]> {
  const found: [string, ConfigSchema][] = [];
  for (const service of existsSync(servicesDir) ? readdirSync(servicesDir) : []) {
    const file = join(servicesDir, service, 'src', 'config.ts');
    if (!existsSync(file)) continue;
    const module = (await import(file)) as { configSchema?: ConfigSchema };
    if (module.configSchema !== undefined) found.push([service, module.configSchema]);
  }
  return found;
}

describe('defineConfig conventions', () => {
  it('accepts every shared fragment', () => {
    const schema = defineConfig({
      ...kafkaConfigShape,
      ...schemaRegistryConfigShape,
      ...mongoConfigShape,
      ...loggingConfigShape,
      ...opsServerConfigShape(9464),
      ...topicsConfigShape,
    });
    expect(schema.variables.length).toBeGreaterThan(15);
  });

  it('holds for every service schema that exists (unit suffix on numbers, descriptions, defaults)', async () => {
    for (const [service, schema] of await serviceSchemas()) {
      for (const variable of schema.variables)
        expect(conventionViolations(variable), `${service}`).toEqual([]);
    }
  });

  it.each([
    [
      'a number without a unit suffix',
      { SINK_TIMEOUT: variable.integer().default(5).describe('x') },
      /must end in a unit/,
    ],
    ['a missing description', { SINK_CHUNK_SIZE_COUNT: variable.integer().default(5) }, /needs a .describe/],
    [
      'a missing default',
      { SINK_NAME: variable.string().describe('x') },
      /needs a .default\(\) or an explicit required/,
    ],
    [
      'a required variable with a default',
      { SINK_NAME: required(variable.string().describe('x')).default('y') },
      /also has a default/,
    ],
    ['a lower-case name', { sinkName: variable.string().default('y').describe('x') }, /UPPER_SNAKE_CASE/],
  ])('rejects %s', (_name, shape, message) => {
    expect(() => defineConfig(shape)).toThrow(message);
  });
});

describe('describeVariable', () => {
  it('reads metadata whatever the chain order', () => {
    const before = describeVariable('A_MS', variable.integer().describe('first').default(5));
    const after = describeVariable('A_MS', variable.integer().default(5).describe('first'));
    for (const description of [before, after]) {
      expect(description).toMatchObject({
        type: 'integer',
        description: 'first',
        defaultValue: '5',
        required: false,
        secret: false,
      });
    }
    expect(describeVariable('P', secret(variable.string().default('').describe('pw')))).toMatchObject({
      secret: true,
      defaultValue: '',
    });
    expect(describeVariable('L', loggingConfigShape.LOG_LEVEL)).toMatchObject({
      type: 'enum',
      values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    });
    expect(describeVariable('B', kafkaConfigShape.KAFKA_BROKERS)).toMatchObject({
      type: 'list',
      defaultValue: '127.0.0.1:9092',
    });
  });
});
