import type { ObservedChange, ObservedSink } from './provider-supervisor.ts';

interface Waiter {
  readonly changes: readonly ObservedChange[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * groupCommit wraps an `ObservedSink` so that publishes issued while a send is in flight are
 * merged into the next send (group commit). Every provider's publishing loop still awaits its
 * own changes — in order, and resolved only once the broker acknowledged them — but ten
 * providers trickling a few changes each cost one produce request instead of ten, which matters
 * because the idempotent producer has one request in flight at a time. A failed send rejects
 * every caller merged into it (each retries on its own). The merged batch is bounded by the
 * number of providers × their batch size.
 */
export function groupCommit(inner: ObservedSink): ObservedSink {
  let pending: Waiter[] = [];
  let sending = false;

  async function drain(): Promise<void> {
    sending = true;
    while (pending.length > 0) {
      const group = pending;
      pending = [];
      try {
        await inner.publish(group.flatMap((w) => w.changes));
        for (const w of group) w.resolve();
      } catch (error) {
        for (const w of group) w.reject(error);
      }
    }
    sending = false;
  }

  return {
    publish(changes) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ changes, resolve, reject });
        if (!sending) void drain();
      });
    },
  };
}
