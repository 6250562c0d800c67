import { describe, expect, it } from 'vitest';
import { defineConfig } from './define-config.ts';
import { describeConfig } from './describe-config.ts';
import { kafkaConfigShape, mongoConfigShape } from './fragments.ts';
import { loadConfig } from './load-config.ts';

const canary = 'CANARY-pw-5d2e';
const schema = defineConfig({ ...kafkaConfigShape, ...mongoConfigShape });

describe('describeConfig', () => {
  it('prints every variable with secrets and connection-string passwords hidden', () => {
    const config = loadConfig(schema, {
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'driftline',
      KAFKA_SASL_PASSWORD: canary,
      MONGO_URL: `mongodb://driftline:${canary}@db-0:27017/?replicaSet=rs0`,
    });
    const printed = describeConfig(schema, config);
    expect(Object.keys(printed)).toEqual(schema.variables.map((variable) => variable.name));
    expect(JSON.stringify(printed)).not.toContain(canary);
    expect(printed['KAFKA_SASL_PASSWORD']).toBe('[REDACTED]');
    expect(printed['KAFKA_SASL_USERNAME']).toBe('driftline');
    expect(printed['MONGO_URL']).toBe('mongodb://driftline:***@db-0:27017/?replicaSet=rs0');
  });

  it('shows an unset secret as empty', () => {
    expect(describeConfig(schema, loadConfig(schema, {}))['KAFKA_SASL_PASSWORD']).toBe('');
  });
});
