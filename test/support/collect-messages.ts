import type { Consumer, KafkaMessage } from 'kafkajs';

/** CollectedMessage is one consumed record, decoded as UTF-8 for assertions. */
export interface CollectedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string | null;
}

function decode(topic: string, partition: number, message: KafkaMessage): CollectedMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    value: message.value?.toString('utf8') ?? null,
  };
}

/**
 * collectMessages runs an already subscribed `consumer` until `done(messages)` is true, then stops
 * it and returns every message seen (in arrival order). Rejects after `timeoutMs` with what arrived
 * so far, so a missing message fails the test with evidence instead of hanging it.
 * `onMessage` runs after each message is recorded (e.g. to commit its offset).
 */
export async function collectMessages(
  consumer: Consumer,
  done: (messages: readonly CollectedMessage[]) => boolean,
  options: { timeoutMs?: number; onMessage?: (message: CollectedMessage) => Promise<void> } = {},
): Promise<CollectedMessage[]> {
  const messages: CollectedMessage[] = [];
  const timeoutMs = options.timeoutMs ?? 60_000;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  await consumer.run({
    autoCommit: options.onMessage === undefined,
    eachMessage: async ({ topic, partition, message }) => {
      const collected = decode(topic, partition, message);
      messages.push(collected);
      await options.onMessage?.(collected);
      if (done(messages)) finish();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([finished.then(() => 'done' as const), timedOut]);
  clearTimeout(timer);
  await consumer.stop();
  if (outcome === 'timeout') {
    throw new Error(
      `collectMessages: condition not met within ${timeoutMs} ms; got ${JSON.stringify(messages)}`,
    );
  }
  return messages;
}
