import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKafkaAdmin, createKafkaClient } from '@driftline/shared/kafka';
import { createLogger } from '@driftline/shared/logging';
import { DEFAULT_TOPICS } from './start/pipeline-settings.ts';
import { formatLagTable, measureGroupLag } from './start/group-lag.ts';
import { repoRoot } from './start/repo-root.ts';

// `node scripts/lag.ts [--watch]`: consumer lag of driftline's consumer groups for humans, per
// group, topic and partition, in messages and in seconds (how long the oldest unconsumed record
// has waited). Groups and topics: those of the running `npm start` demo (.driftline/demo.json),
// else the defaults; KAFKA_BROKERS overrides the brokers. Exit code 1 when Kafka is unreachable.

interface Target {
  readonly brokers: string[];
  readonly groups: { group: string; topics: string[] }[];
}

async function target(): Promise<Target> {
  const demo = await readFile(join(repoRoot, '.driftline', 'demo.json'), 'utf8').catch(() => null);
  const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
  if (demo !== null) {
    const parsed = JSON.parse(demo) as Target;
    return {
      brokers: process.env['KAFKA_BROKERS'] === undefined ? parsed.brokers : brokers,
      groups: parsed.groups,
    };
  }
  const t = DEFAULT_TOPICS;
  return {
    brokers,
    groups: [
      { group: 'driftline-watcher', topics: [t.providers] },
      { group: 'driftline-reconciler', topics: [t.desired, t.observed] },
      { group: 'driftline-sink', topics: [t.operations, t.observed, t.drift] },
    ],
  };
}

const { brokers, groups } = await target();
const kafka = createKafkaClient(
  { brokers, clientId: 'driftline-lag' },
  createLogger({ service: 'lag', level: 'fatal' }),
);
try {
  const admin = await createKafkaAdmin(kafka);
  const watch = process.argv.includes('--watch');
  do {
    const lags = await measureGroupLag(admin, groups);
    console.log(`consumer lag at ${new Date().toISOString()}`);
    for (const line of formatLagTable(lags)) console.log(line);
    for (const g of lags)
      console.log(`total ${g.group}: ${g.messages} messages, oldest waiting ${g.seconds.toFixed(1)} s`);
    if (watch) await new Promise((r) => setTimeout(r, 2000));
  } while (watch);
  await admin.disconnect();
} catch (error) {
  console.error(`lag: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
