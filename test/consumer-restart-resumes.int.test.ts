import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createConsumerRunner,
  createIdempotentProducer,
  createKafkaAdmin,
  createKafkaClient,
  fetchConsumerLag,
  type BatchHandler,
  type ConsumedRecord,
  type KafkaAdminPort,
  type KafkaConsumerPort,
  type KafkaProducerPort,
} from '@driftline/shared/kafka';
import { stackEndpoints } from './support/stack.ts';

// Proves the consumer runner's delivery contract against the real broker: a group that stops
// gracefully resumes exactly where it left off (every record once across both runs); a member
// that dies with a batch in flight loses nothing — the uncommitted batch is read again, the
// acknowledged ones are not.

const logger = pino({ level: 'silent' });
const PARTITIONS = 3;
const FIRST = 60;
const MORE = 30;
// Generous bound for a whole run on a loaded laptop; a healthy run takes a few seconds.
const RUN_TIMEOUT_MS = 60_000;

const id = (r: ConsumedRecord): string => `${r.partition}/${r.offset}`;

function withTimeout<T>(promise: Promise<T>, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what()}`)), RUN_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('a consumer group resumes after restart', () => {
  const run = randomUUID().slice(0, 8);
  const topic = `restart-${run}`;
  let kafka: ReturnType<typeof createKafkaClient>;
  let admin: KafkaAdminPort;
  let producer: KafkaProducerPort;
  const produced: string[] = [];
  let nextValue = 0;
  const startedAtMs = Date.now();

  /** produce appends `count` keyed records and remembers their positions as partition/offset. */
  async function produce(count: number): Promise<void> {
    const records = Array.from({ length: count }, () => {
      const n = nextValue++;
      return { topic, key: `prov/ns/MongoDB/db-${n}`, value: Buffer.from(String(n)) };
    });
    // One record per send: each send's base offset is that record's offset.
    for (const record of records) {
      const [position] = await producer.send([record]);
      if (position === undefined) throw new Error('send returned no position');
      produced.push(`${position.partition}/${position.baseOffset}`);
    }
  }

  /** member builds a runner for `group` whose handler is `handler`; the caller starts and stops it. */
  function member(group: string, handler: BatchHandler): KafkaConsumerPort {
    return createConsumerRunner(kafka, { groupId: group, topics: [topic], logger, handler });
  }

  /** drainAll reads with `group` until every produced record was seen, then stops gracefully. */
  async function drainAll(group: string, alreadySeen: ReadonlySet<string>): Promise<ConsumedRecord[]> {
    const seen: ConsumedRecord[] = [];
    let finish!: () => void;
    const complete = new Promise<void>((resolve) => (finish = resolve));
    const covered = (): boolean => {
      const all = new Set([...alreadySeen, ...seen.map(id)]);
      return produced.every((p) => all.has(p));
    };
    const runner = member(group, async (batch) => {
      seen.push(...batch.records);
      if (covered()) finish();
    });
    await runner.start();
    try {
      await withTimeout(complete, () => `second run saw ${seen.length} records`);
    } finally {
      await runner.stop();
    }
    return seen;
  }

  beforeAll(async () => {
    kafka = createKafkaClient({ brokers: stackEndpoints().kafkaBrokers, clientId: `restart-${run}` }, logger);
    admin = await createKafkaAdmin(kafka);
    await admin.ensureTopics([
      { name: topic, partitions: PARTITIONS, replicationFactor: 1, compacted: false },
    ]);
    producer = await createIdempotentProducer(kafka);
    await produce(FIRST);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    const cleanup = kafka?.admin();
    await cleanup?.connect();
    await cleanup?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await cleanup?.disconnect();
  });

  it('sees every record exactly once across a graceful stop and a restart', async () => {
    const group = `restart-${run}-graceful`;
    const firstRun: ConsumedRecord[] = [];
    let requestStop!: (stop: Promise<void>) => void;
    const stopped = new Promise<void>((resolve) => (requestStop = resolve));
    let stopRequested = false;
    const first: KafkaConsumerPort = member(group, async (batch) => {
      firstRun.push(...batch.records);
      // Stop after the first batch: the batch in flight finishes and is committed, later batches of
      // the same fetch are not handed over. (Not awaited here: stop waits for this very batch.)
      if (!stopRequested) {
        stopRequested = true;
        requestStop(first.stop());
      }
    });
    await first.start();
    await withTimeout(stopped, () => `first run saw ${firstRun.length} records`);
    expect(first.state()).toBe('stopped');
    expect(firstRun.length).toBeGreaterThan(0);
    expect(firstRun.length).toBeLessThan(FIRST);

    // The committed position is exactly where the first run stopped: the lag is what it did not see,
    // and the oldest waiting record's timestamp (read by the lag probe) is one this test produced.
    const lag = await fetchConsumerLag(admin, group, [topic], Date.now());
    expect(lag).toHaveLength(PARTITIONS);
    expect(lag.reduce((sum, p) => sum + p.messages, 0)).toBe(FIRST - firstRun.length);
    const offsets = await admin.fetchOffsets(group, [topic]);
    const waiting = offsets.filter((o) => o.committed === null || BigInt(o.committed) < BigInt(o.high));
    const stamps = await admin.fetchRecordTimestamps(
      waiting.map((o) => ({ topic, partition: o.partition, offset: o.committed ?? o.low })),
    );
    expect(stamps.length).toBeGreaterThan(0);
    for (const stamp of stamps) {
      expect(stamp.timestampMs).not.toBeNull();
      expect(stamp.timestampMs ?? 0).toBeGreaterThanOrEqual(startedAtMs - 1_000);
      expect(stamp.timestampMs ?? 0).toBeLessThanOrEqual(Date.now() + 1_000);
    }

    await produce(MORE);
    const secondRun = await drainAll(group, new Set(firstRun.map(id)));

    const all = [...firstRun, ...secondRun].map(id);
    expect(new Set(all).size).toBe(all.length); // no duplicates
    expect([...all].sort()).toEqual([...produced].sort()); // no gaps
  });

  it('re-reads the uncommitted batch, and only it, after a member dies mid-batch', async () => {
    const group = `restart-${run}-killed`;
    const acknowledged: ConsumedRecord[] = [];
    const abandoned: ConsumedRecord[] = [];
    let requestKill!: (stop: Promise<void>) => void;
    const killed = new Promise<void>((resolve) => (requestKill = resolve));
    let killRequested = false;
    const first: KafkaConsumerPort = member(group, async (batch) => {
      if (acknowledged.length === 0) {
        acknowledged.push(...batch.records);
        return; // resolved: committed
      }
      if (killRequested) return;
      abandoned.push(...batch.records);
      // Die with this batch in flight: nothing of it is committed.
      killRequested = true;
      requestKill(first.stop({ drain: false }));
    });
    await first.start();
    await withTimeout(
      killed,
      () => `first run acknowledged ${acknowledged.length}, abandoned ${abandoned.length}`,
    );
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(abandoned.length).toBeGreaterThan(0);

    await produce(MORE);
    const firstSeen = new Set([...acknowledged, ...abandoned].map(id));
    const secondRun = await drainAll(group, firstSeen);
    const secondIds = new Set(secondRun.map(id));

    // At least once, no gaps: everything produced was seen by one run or the other.
    const union = new Set([...firstSeen, ...secondIds]);
    expect(produced.filter((p) => !union.has(p))).toEqual([]);
    // The abandoned batch was not committed, so the restarted group reads it again...
    expect(abandoned.map(id).filter((p) => !secondIds.has(p))).toEqual([]);
    // ...while the acknowledged batch was committed and is not re-read.
    expect(acknowledged.map(id).filter((p) => secondIds.has(p))).toEqual([]);
  });
  it('keeps its membership through a batch longer than the session timeout, so the commit lands', async () => {
    const group = `restart-${run}-long`;
    // The broker's minimum session timeout (group.min.session.timeout.ms) is 6 s; the batch takes
    // longer than that, so only the runner's heartbeats during the batch keep the member alive.
    const sessionTimeoutMs = 6_000;
    const batchMs = 8_000;
    const assignments: number[] = [];
    let handled = 0;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const runner = createConsumerRunner(kafka, {
      groupId: group,
      topics: [topic],
      logger,
      sessionTimeoutMs,
      heartbeatIntervalMs: 1_000,
      maxBytesPerPartition: 10_000_000,
      onAssigned: (partitions) => void assignments.push(partitions.length),
      handler: async (batch) => {
        if (handled === 0) await new Promise((resolve) => setTimeout(resolve, batchMs));
        handled += batch.records.length;
        if (handled >= produced.length) finish();
      },
    });
    await runner.start();
    try {
      await withTimeout(finished, () => `long-batch run handled ${handled}/${produced.length}`);
    } finally {
      await runner.stop();
    }
    // One group join only: the member was never evicted and re-assigned during the long batch...
    expect(assignments).toEqual([PARTITIONS]);
    // ...and every partition's commit landed at its end.
    const offsets = await admin.fetchOffsets(group, [topic]);
    expect(offsets.map((o) => o.committed)).toEqual(offsets.map((o) => o.high));
  });
});
