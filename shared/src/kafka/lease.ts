import type { Consumer } from 'kafkajs';
import type { Logger } from '@driftline/shared/logging';
import type { KafkaClient } from './client-factory.ts';
import { stickyLeaseAssigner } from './sticky-lease-assigner.ts';

/** LeaseOptions configure a one-partition consumer-group lease. */
export interface LeaseOptions {
  readonly kafka: Pick<KafkaClient, 'consumer'>;
  /** One-partition topic whose partition 0 is the lease (nothing is ever produced to it). */
  readonly topic: string;
  /** Consumer group all instances of one deployment share. */
  readonly groupId: string;
  /** A dead holder loses the lease this long after its last heartbeat. */
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly logger: Logger;
  /** Called with true when this instance acquires the lease, false when it loses it. */
  readonly onChange: (active: boolean) => void;
  /** Called when the lease consumer crashed and kafkajs will not restart it: the instance can never become active again. */
  readonly onFatal: (error: Error) => void;
}

/** Lease is this instance's membership in the lease group. */
export interface Lease {
  start(): Promise<void>;
  /** stop leaves the group at once, so a standby takes over without waiting for the session timeout. */
  stop(): Promise<void>;
  isActive(): boolean;
}

/**
 * createLease implements "one active instance" with Kafka's group coordinator as the lock: every
 * instance joins one consumer group on a one-partition topic; the member assigned partition 0 is
 * active. The coordinator guarantees at most one owner per generation; when the owner dies
 * (no heartbeat for `sessionTimeoutMs`) or leaves, a rebalance hands partition 0 to a standby.
 * The assignment is sticky (`stickyLeaseAssigner`): a standby joining does not move the lease.
 * The instance turns inactive when a join assigns partition 0 elsewhere or its consumer crashes
 * or stops, and active when a join assigns it partition 0. It is a lease, not a fence: a paused
 * old holder may still act until it notices (its next heartbeat or join), so the work it guards
 * must tolerate two active instances for that window (the desired service publishes the same
 * records from both, duplicates in order per key).
 */
export function createLease(options: LeaseOptions): Lease {
  const log = options.logger.child({ component: 'lease' });
  let consumer: Consumer | null = null;
  let active = false;
  // The log lines keep the desired service's wording: operators and tests grep for them.
  const set = (next: boolean, why: string): void => {
    if (next === active) return;
    active = next;
    log.info({ active, why }, active ? 'lease acquired: publishing' : 'lease lost: standing by');
    options.onChange(active);
  };
  return {
    async start(): Promise<void> {
      const c = options.kafka.consumer({
        groupId: options.groupId,
        sessionTimeout: options.sessionTimeoutMs,
        heartbeatInterval: options.heartbeatIntervalMs,
        rebalanceTimeout: Math.max(options.sessionTimeoutMs, 10_000),
        allowAutoTopicCreation: false,
        maxWaitTimeInMs: Math.min(options.heartbeatIntervalMs, 1_000),
        partitionAssigners: [stickyLeaseAssigner(options.topic, () => active)],
      });
      consumer = c;
      c.on(c.events.GROUP_JOIN, (event) => {
        const partitions = event.payload.memberAssignment[options.topic] ?? [];
        set(partitions.includes(0), `group join (generation ${event.payload.groupId})`);
      });
      // No deactivation on REBALANCING: the sticky assigner keeps the lease with its holder, and
      // the join that ends the rebalance tells every member at once who holds it.
      c.on(c.events.CRASH, (event) => {
        set(false, 'consumer crashed');
        if (!event.payload.restart) options.onFatal(event.payload.error);
      });
      c.on(c.events.STOP, () => set(false, 'consumer stopped'));
      c.on(c.events.DISCONNECT, () => set(false, 'consumer disconnected'));
      await c.connect();
      await c.subscribe({ topic: options.topic, fromBeginning: false });
      // Nothing is ever produced to the lease topic: the run loop exists for its heartbeats.
      await c.run({ autoCommit: false, eachMessage: async () => undefined });
    },
    async stop(): Promise<void> {
      const c = consumer;
      consumer = null;
      if (c === null) return;
      await c.disconnect();
      set(false, 'stopped');
    },
    isActive: () => active,
  };
}
