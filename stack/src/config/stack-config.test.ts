import { describe, expect, it } from 'vitest';
import { loadStackConfig, parseBrokers, parsePort, StackConfigError } from './stack-config.ts';

describe('parsePort', () => {
  it.each([
    [undefined, 9092],
    ['', 9092],
    ['  ', 9092],
    ['1', 1],
    ['19092', 19092],
    ['65535', 65535],
  ])('reads %j as %d', (raw, expected) => {
    expect(parsePort({ KAFKA_PORT: raw }, 'KAFKA_PORT', 9092)).toBe(expected);
  });

  it.each(['0', '65536', '-1', '90 92', '9092x', '1e3', '0x10', '123456'])(
    'rejects %j naming the variable',
    (raw) => {
      expect(() => parsePort({ MONGO_PORT: raw }, 'MONGO_PORT', 27017)).toThrow(StackConfigError);
      expect(() => parsePort({ MONGO_PORT: raw }, 'MONGO_PORT', 27017)).toThrow(
        /^MONGO_PORT=.* expected a TCP port/,
      );
    },
  );
});

describe('parseBrokers', () => {
  it('is null when unset', () => {
    expect(parseBrokers({}, 'KAFKA_BROKERS')).toBeNull();
  });

  it('splits and trims a host:port list', () => {
    expect(parseBrokers({ KAFKA_BROKERS: 'a:9092, b.example:19092' }, 'KAFKA_BROKERS')).toEqual([
      'a:9092',
      'b.example:19092',
    ]);
  });

  it.each(['a', 'a:', ':9092x', 'a:9092,', 'a:70000'])('rejects %j', (raw) => {
    expect(() => parseBrokers({ KAFKA_BROKERS: raw }, 'KAFKA_BROKERS')).toThrow(/KAFKA_BROKERS/);
  });
});

describe('loadStackConfig', () => {
  it('defaults to the conventional ports on 127.0.0.1 and a .stack folder in the repo', () => {
    const config = loadStackConfig({}, '/repo');
    expect(config.stackDir).toBe('/repo/.stack');
    expect(config.kafka).toMatchObject({
      external: false,
      port: 9092,
      controllerPort: 9093,
      brokers: ['127.0.0.1:9092'],
    });
    expect(config.mongo).toMatchObject({
      external: false,
      port: 27017,
      url: 'mongodb://127.0.0.1:27017/?directConnection=true',
    });
    expect(config.schemaRegistry).toMatchObject({
      external: false,
      port: 8081,
      url: 'http://127.0.0.1:8081',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('moves endpoints with the port variables', () => {
    const config = loadStackConfig(
      { KAFKA_PORT: '19092', MONGO_PORT: '37017', SCHEMA_REGISTRY_PORT: '18081' },
      '/repo',
    );
    expect(config.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(config.mongo.url).toBe('mongodb://127.0.0.1:37017/?directConnection=true');
    expect(config.schemaRegistry.url).toBe('http://127.0.0.1:18081');
  });

  it('marks overridden components external and uses their URLs as given', () => {
    const config = loadStackConfig(
      {
        KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092',
        MONGO_URL: 'mongodb://db-1,db-2/?replicaSet=rs0',
        SCHEMA_REGISTRY_URL: 'https://registry.example/',
      },
      '/repo',
    );
    expect(config.kafka).toMatchObject({ external: true, brokers: ['kafka-1:9092', 'kafka-2:9092'] });
    expect(config.mongo).toMatchObject({ external: true, url: 'mongodb://db-1,db-2/?replicaSet=rs0' });
    expect(config.schemaRegistry).toMatchObject({ external: true, url: 'https://registry.example' });
  });

  it('rejects a controller port equal to the broker port', () => {
    expect(() => loadStackConfig({ KAFKA_PORT: '9093' }, '/repo')).toThrow(/KAFKA_CONTROLLER_PORT/);
  });

  it.each([
    ['MONGO_URL', 'http://mongo'],
    ['SCHEMA_REGISTRY_URL', 'registry:8081'],
    ['KAFKA_HEAP_MB', '12'],
    ['MONGO_HEAP_MB', 'lots'],
    ['MONGO_OPLOG_MAX_ENTRIES', '-1'],
  ])('rejects a bad %s naming it', (variable, value) => {
    expect(() => loadStackConfig({ [variable]: value }, '/repo')).toThrow(new RegExp(`^${variable}=`));
  });

  it('caps the Mongo oplog at 100000 entries unless told otherwise (0 = unbounded)', () => {
    expect(loadStackConfig({}, '/repo').mongo.oplogMaxEntries).toBe(100_000);
    expect(loadStackConfig({ MONGO_OPLOG_MAX_ENTRIES: '0' }, '/repo').mongo.oplogMaxEntries).toBe(0);
  });

  it('runs java from JAVA_HOME when set, else from PATH', () => {
    expect(loadStackConfig({ JAVA_HOME: '/opt/jdk-17' }, '/repo').javaBin).toBe('/opt/jdk-17/bin/java');
    expect(loadStackConfig({}, '/repo').javaBin).toBe('java');
  });

  it('resolves DRIFTLINE_STACK_DIR against the repository', () => {
    expect(loadStackConfig({ DRIFTLINE_STACK_DIR: 'tmp/stack' }, '/repo').stackDir).toBe('/repo/tmp/stack');
  });
});
