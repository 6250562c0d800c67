import { describe, expect, it } from 'vitest';
import { newClusterId } from './kafka-component.ts';
import { log4j2Properties, serverProperties } from './server-properties.ts';

function parse(text: string): Map<string, string> {
  const entries = text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)] as const;
    });
  return new Map(entries);
}

describe('serverProperties', () => {
  const properties = parse(
    serverProperties({ port: 19092, controllerPort: 19093, logDir: '/repo/.stack/kafka/data' }),
  );

  it('renders a single combined KRaft node', () => {
    expect(properties.get('process.roles')).toBe('broker,controller');
    expect(properties.get('node.id')).toBe('1');
    expect(properties.get('controller.quorum.bootstrap.servers')).toBe('127.0.0.1:19093');
    expect(properties.get('controller.listener.names')).toBe('CONTROLLER');
  });

  it('binds and advertises 127.0.0.1 only', () => {
    expect(properties.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(properties.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19092');
    const addresses = [...properties.values()].flatMap((value) => value.match(/\/\/[^:,]+/g) ?? []);
    expect(new Set(addresses)).toEqual(new Set(['//127.0.0.1']));
  });

  it('uses single-node replication settings so offsets and transactions work', () => {
    for (const key of [
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
      'transaction.state.log.min.isr',
      'min.insync.replicas',
    ]) {
      expect(properties.get(key), key).toBe('1');
    }
  });

  it('keeps its log dirs where it is told and escapes backslashes for java.util.Properties', () => {
    expect(properties.get('log.dirs')).toBe('/repo/.stack/kafka/data');
    expect(parse(serverProperties({ port: 1, controllerPort: 2, logDir: 'C:\\stack' })).get('log.dirs')).toBe(
      'C:\\\\stack',
    );
  });

  it('is deterministic', () => {
    const settings = { port: 9092, controllerPort: 9093, logDir: '/d' };
    expect(serverProperties(settings)).toBe(serverProperties(settings));
  });
});

describe('log4j2Properties', () => {
  it('logs to the console appender at INFO', () => {
    const properties = parse(log4j2Properties().replace(/ = /g, '='));
    expect(properties.get('rootLogger.level')).toBe('info');
    expect(properties.get('appender.out.type')).toBe('Console');
  });
});

describe('newClusterId', () => {
  it('is 22 base64url characters (16 random bytes), different every time', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newClusterId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('draws again rather than start with "-", which kafka-storage would parse as an option', () => {
    // 0xf8 encodes to a leading "-" in base64url (its top six bits are 62).
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x41)];
    const id = newClusterId(() => draws.shift() ?? Buffer.alloc(16));
    expect(draws).toHaveLength(0);
    expect(id).toBe(Buffer.alloc(16, 0x41).toString('base64url'));
    expect(id.startsWith('-')).toBe(false);
  });
});
