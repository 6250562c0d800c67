import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConsumerConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { DriftlineError } from '@driftline/shared/errors';
import { createComponent } from '@driftline/shared/lifecycle';
import { recordingMetrics } from '@driftline/shared/metrics';
import { createConsumerRunner } from './consumer-runner.ts';
import type { BatchHandler, ConsumedBatch, LifecycleState } from './ports.ts';

const events = {
  FETCH_START: 'consumer.fetch_start',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  GROUP_JOIN: 'consumer.group_join',
  CRASH: 'consumer.crash',
} as const;

type Listener = (event: { payload: unknown }) => unknown;

/**
 * A stand-in for a kafkajs consumer that behaves like kafkajs where the runner relies on it:
 * eachBatch gets a payload whose explicit commit is recorded, and disconnect waits for the batch
 * in flight before returning.
 */
function fakeKafka() {
  const listeners = new Map<string, Listener[]>();
  const commits: { topic: string; partition: number; offset: string }[] = [];
  const heartbeats: number[] = [];
  const paused: string[] = [];
  let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let config: ConsumerConfig | undefined;
  let disconnected = false;
  let resolved: Record<string, string> = {};

  const consumer = {
    events,
    on(event: string, listener: Listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return () => undefined;
    },
    connect: async () => undefined,
    subscribe: async () => undefined,
    run: async (run: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) => {
      eachBatch = run.eachBatch;
    },
    disconnect: async () => {
      await inFlight.catch(() => undefined);
      disconnected = true;
    },
    pause: (topics: { topic: string }[]) => paused.push(...topics.map((t) => `pause:${t.topic}`)),
    resume: (topics: { topic: string }[]) => paused.push(...topics.map((t) => `resume:${t.topic}`)),
  };

  const emit = async (event: string, payload: unknown): Promise<void> => {
    for (const listener of listeners.get(event) ?? []) await listener({ payload });
  };

  const kafka = {
    consumer: (c: ConsumerConfig) => {
      config = c;
      return consumer;
    },
  } as unknown as Pick<Kafka, 'consumer'>;

  return {
    kafka,
    commits,
    heartbeats,
    paused,
    config: () => config,
    disconnected: () => disconnected,
    emit,
    join: (assignment: Record<string, number[]>) => emit(events.GROUP_JOIN, { memberAssignment: assignment }),
    /** deliver runs one batch through the runner's eachBatch, as kafkajs's fetch loop would. */
    deliver(topic: string, partition: number, offsets: number[]): Promise<void> {
      if (eachBatch === undefined) throw new Error('not running');
      const messages: KafkaMessage[] = offsets.map((offset) => ({
        key: Buffer.from(`k${offset}`),
        value: Buffer.from(`v${offset}`),
        timestamp: String(1_000 + offset),
        attributes: 0,
        offset: String(offset),
        headers: {},
      }));
      resolved = {};
      const payload = {
        batch: { topic, partition, highWatermark: String((offsets.at(-1) ?? 0) + 1), messages },
        resolveOffset: (offset: string) => {
          resolved[`${topic}/${partition}`] = String(Number(offset) + 1);
        },
        heartbeat: async () => {
          heartbeats.push(Date.now());
        },
        pause: () => () => undefined,
        uncommittedOffsets: () => ({
          topics: [{ topic, partitions: Object.values(resolved).map((offset) => ({ partition, offset })) }],
        }),
        commitOffsetsIfNecessary: async (offsets?: {
          topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
        }) => {
          for (const t of offsets?.topics ?? []) {
            for (const p of t.partitions)
              commits.push({ topic: t.topic, partition: p.partition, offset: p.offset });
          }
        },
        isRunning: () => true,
        isStale: () => false,
      } as unknown as EachBatchPayload;
      const run = eachBatch(payload);
      inFlight = run;
      return run;
    },
  };
}

const logger = pino({ level: 'silent' });

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createConsumerRunner', () => {
  it('hands over records and commits last offset + 1 only after the handler resolved', async () => {
    const fake = fakeKafka();
    const seen: ConsumedBatch[] = [];
    const gate = deferred();
    const handler: BatchHandler = async (batch) => {
      seen.push(batch);
      await gate.promise;
    };
    const states: LifecycleState[] = [];
    const metrics = recordingMetrics();
    const runner = createConsumerRunner(fake.kafka, {
      groupId: 'g',
      topics: ['t'],
      handler,
      logger,
      metrics,
      onStateChange: (s) => states.push(s),
    });
    await runner.start();
    expect(runner.state()).toBe('starting');
    await fake.join({ t: [0] });
    expect(runner.state()).toBe('running');

    const delivery = fake.deliver('t', 0, [5, 6, 7]);
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(fake.commits).toEqual([]);
    gate.resolve();
    await delivery;
    expect(fake.commits).toEqual([{ topic: 't', partition: 0, offset: '8' }]);
    expect(seen[0]?.records.map((r) => [r.offset, r.key, r.value?.toString()])).toEqual([
      ['5', 'k5', 'v5'],
      ['6', 'k6', 'v6'],
      ['7', 'k7', 'v7'],
    ]);
    expect(fake.config()).toMatchObject({ groupId: 'g', allowAutoTopicCreation: false });
    expect(states).toEqual(['running']);
    expect(metrics.events).toEqual([{ type: 'kafka.consumed', topic: 't', count: 3 }]);
  });

  it('commits nothing when the handler rejects, and rethrows to kafkajs', async () => {
    const fake = fakeKafka();
    const runner = createConsumerRunner(fake.kafka, {
      groupId: 'g',
      topics: ['t'],
      logger,
      handler: async () => {
        throw new DriftlineError('MONGO_UNAVAILABLE', 'down');
      },
    });
    await runner.start();
    await expect(fake.deliver('t', 0, [1])).rejects.toThrow('down');
    expect(fake.commits).toEqual([]);
  });

  it('graceful stop waits for the batch in flight, commits it, then reports every partition revoked', async () => {
    const fake = fakeKafka();
    const gate = deferred();
    const revoked: string[][] = [];
    const runner = createConsumerRunner(fake.kafka, {
      groupId: 'g',
      topics: ['t'],
      logger,
      handler: () => gate.promise,
      onRevoked: (ps) => {
        revoked.push(ps.map((p) => `${p.topic}/${p.partition}`));
      },
    });
    await runner.start();
    await fake.join({ t: [0, 1] });
    const delivery = fake.deliver('t', 1, [3]);
    const stopping = runner.stop();
    expect(runner.state()).toBe('draining');
    expect(fake.disconnected()).toBe(false);
    gate.resolve();
    await Promise.all([delivery, stopping]);
    expect(fake.commits).toEqual([{ topic: 't', partition: 1, offset: '4' }]);
    expect(fake.disconnected()).toBe(true);
    expect(revoked).toEqual([['t/0', 't/1']]);
    expect(runner.state()).toBe('stopped');
    expect(runner.assignment()).toEqual([]);
  });

  it('stop without draining aborts the handler and commits nothing for the batch in flight', async () => {
    const fake = fakeKafka();
    let signal: AbortSignal | undefined;
    const runner = createConsumerRunner(fake.kafka, {
      groupId: 'g',
      topics: ['t'],
      logger,
      handler: (_batch, context) => {
        signal = context.signal;
        return new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve()));
      },
    });
    await runner.start();
    const delivery = fake.deliver('t', 0, [1, 2]);
    await vi.waitFor(() => expect(signal).toBeDefined());
    await runner.stop({ drain: false });
    await delivery;
    expect(signal?.aborted).toBe(true);
    expect(fake.commits).toEqual([]);
    expect(runner.state()).toBe('stopped');
  });

  it('reports partitions gained and lost across group joins', async () => {
    const fake = fakeKafka();
    const log: string[] = [];
    const runner = createConsumerRunner(fake.kafka, {
      groupId: 'g',
      topics: ['t'],
      logger,
      handler: async () => undefined,
      onAssigned: (ps) => void log.push(`+${ps.map((p) => p.partition).join(',')}`),
      onRevoked: (ps) => void log.push(`-${ps.map((p) => p.partition).join(',')}`),
    });
    await runner.start();
    await fake.join({ t: [0, 1, 2] });
    await fake.join({ t: [2, 3] });
    expect(log).toEqual(['+0,1,2', '-0,1', '+3']);
    expect(runner.assignment()).toEqual([
      { topic: 't', partition: 2 },
      { topic: 't', partition: 3 },
    ]);
  });

  it('heartbeats on a timer while a long batch runs', async () => {
    vi.useFakeTimers();
    const fake = fakeKafka();
    const gate = deferred();
    const runner = createConsumerRunner(fake.kafka, {
      groupId: 'g',
      topics: ['t'],
      logger,
      heartbeatIntervalMs: 1_000,
      handler: () => gate.promise,
    });
    await runner.start();
    const delivery = fake.deliver('t', 0, [1]);
    await vi.advanceTimersByTimeAsync(3_500);
    expect(fake.heartbeats).toHaveLength(3);
    gate.resolve();
    await delivery;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fake.heartbeats).toHaveLength(3);
  });

  it('tracks the last poll with the injected clock, and pauses and resumes every topic', async () => {
    const fake = fakeKafka();
    let clock = 100;
    const runner = createConsumerRunner(fake.kafka, {
      groupId: 'g',
      topics: ['a', 'b'],
      logger,
      handler: async () => undefined,
      now: () => clock,
    });
    expect(runner.lastPollAtMs()).toBeNull();
    await runner.start();
    await fake.emit(events.FETCH_START, { nodeId: 1 });
    expect(runner.lastPollAtMs()).toBe(100);
    clock = 250;
    await fake.emit(events.FETCH_START, { nodeId: 1 });
    expect(runner.lastPollAtMs()).toBe(250);
    runner.pause();
    runner.resume();
    expect(fake.paused).toEqual(['pause:a', 'pause:b', 'resume:a', 'resume:b']);
  });

  it('restarts after kafkajs gave up only for retryable causes, else turns failed', async () => {
    const fake = fakeKafka();
    const runner = createConsumerRunner(fake.kafka, {
      groupId: 'g',
      topics: ['t'],
      logger,
      handler: async () => undefined,
    });
    const restartOnFailure = fake.config()?.retry?.restartOnFailure;
    if (restartOnFailure === undefined) throw new Error('restartOnFailure not configured');
    const exhausted = (cause: Error) =>
      Object.assign(new Error('retries exceeded', { cause }), { name: 'KafkaJSNumberOfRetriesExceeded' });
    expect(await restartOnFailure(exhausted(new DriftlineError('MONGO_UNAVAILABLE', 'down')))).toBe(true);
    expect(await restartOnFailure(exhausted(new TypeError('bug')))).toBe(false);
    expect(await restartOnFailure(exhausted(new DriftlineError('SERDE_FAILED', 'bad')))).toBe(false);

    await runner.start();
    await fake.emit(events.CRASH, { error: new TypeError('bug'), groupId: 'g', restart: false });
    expect(runner.state()).toBe('failed');
    await runner.stop();
    expect(runner.state()).toBe('failed');
  });

  it('drives a lifecycle component: legal transitions, progress on every poll', async () => {
    const fake = fakeKafka();
    let clock = 10;
    const component = createComponent({ name: 'consumer', clock: { now: () => clock } });
    const runner = createConsumerRunner(fake.kafka, {
      groupId: 'g',
      topics: ['t'],
      logger,
      handler: async () => undefined,
      component,
    });
    await runner.start();
    await fake.join({ t: [0] });
    expect(component.snapshot()).toMatchObject({ state: 'running', lastProgressAt: 10 });
    clock = 20;
    await fake.emit(events.FETCH_START, { nodeId: 1 });
    expect(component.snapshot().lastProgressAt).toBe(20);
    await fake.emit(events.CRASH, { error: new Error('broker gone'), groupId: 'g', restart: true });
    expect(component.state).toBe('starting');
    await fake.join({ t: [0] });
    await runner.stop();
    expect(component.snapshot()).toMatchObject({ state: 'stopped' });
  });
});
