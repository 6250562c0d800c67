/** KafkaNodeSettings are the few values that differ between local brokers. */
export interface KafkaNodeSettings {
  readonly port: number;
  readonly controllerPort: number;
  readonly logDir: string;
}

/**
 * serverProperties returns the properties of a single combined KRaft node (broker + controller)
 * that binds only 127.0.0.1. Pure: the same settings always render the same text.
 *
 * Why each single-node value is what it is:
 * - replication factors and min ISR are 1 because there is one broker; the defaults (3 / 2) would
 *   leave __consumer_offsets and __transaction_state uncreatable and transactions hanging;
 * - group.initial.rebalance.delay.ms=0: the default 3 s delay only helps when many members join at
 *   once, and slows every test that starts a consumer group;
 * - auto.create.topics.enable=false: driftline provisions its topics explicitly, and a typo should
 *   fail rather than silently create a one-partition topic.
 */
export function serverProperties(settings: KafkaNodeSettings): string {
  const entries: [string, string | number][] = [
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.quorum.bootstrap.servers', `127.0.0.1:${settings.controllerPort}`],
    ['listeners', `PLAINTEXT://127.0.0.1:${settings.port},CONTROLLER://127.0.0.1:${settings.controllerPort}`],
    ['advertised.listeners', `PLAINTEXT://127.0.0.1:${settings.port}`],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
    ['log.dirs', settings.logDir],
    ['num.partitions', 1],
    ['default.replication.factor', 1],
    ['offsets.topic.replication.factor', 1],
    ['offsets.topic.num.partitions', 10],
    ['transaction.state.log.replication.factor', 1],
    ['transaction.state.log.min.isr', 1],
    ['transaction.state.log.num.partitions', 4],
    ['share.coordinator.state.topic.replication.factor', 1],
    ['share.coordinator.state.topic.min.isr', 1],
    ['min.insync.replicas', 1],
    ['group.initial.rebalance.delay.ms', 0],
    ['auto.create.topics.enable', 'false'],
    ['log.retention.hours', 24],
    ['log.segment.bytes', 16 * 1024 * 1024],
  ];
  const header = '# Rendered by driftline `npm run stack` (DEV/TEST ONLY). Edits are overwritten on `up`.\n';
  return header + entries.map(([key, value]) => `${key}=${escapeValue(String(value))}`).join('\n') + '\n';
}

/** escapeValue escapes what java.util.Properties would otherwise misread (backslashes, e.g. Windows paths). */
function escapeValue(value: string): string {
  return value.replace(/\\/g, '\\\\');
}

/**
 * log4j2Properties renders a Log4j 2 configuration that writes INFO and above to stdout (which the
 * stack redirects into the component's log file). Pure.
 */
export function log4j2Properties(): string {
  return [
    'status = warn',
    'appender.out.type = Console',
    'appender.out.name = out',
    'appender.out.layout.type = PatternLayout',
    'appender.out.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = info',
    'rootLogger.appenderRef.out.ref = out',
    // The state-change and request loggers are very chatty at INFO on a busy test run.
    'logger.state.name = state.change.logger',
    'logger.state.level = warn',
    'logger.cleaner.name = kafka.log.LogCleaner',
    'logger.cleaner.level = warn',
    '',
  ].join('\n');
}
