import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * kafkajs 2.2.4 re-arms a 1 ms timer after every response on every broker connection, even with
 * nothing pending (kafkajs#1704; on Node 24 it also prints TimeoutNegativeWarning, #1751): an idle
 * client burned ~4 % of a core per two connections. `patches/kafkajs+2.2.4.patch`, applied by the
 * root `postinstall` (patch-package), stops it. These tests fail if the patch is not applied.
 */
interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: unknown;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
}
type RequestQueueClass = new (options: Record<string, unknown>) => RequestQueue;

const require = createRequire(import.meta.url);
const RequestQueueClass = require('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('kafkajs request queue (patched)', () => {
  const queues: RequestQueue[] = [];
  const queue = (): RequestQueue => {
    const q = new RequestQueueClass({
      maxInFlightRequests: null,
      requestTimeout: 30_000,
      enforceRequestTimeout: false,
      clientId: 'test',
      broker: '127.0.0.1:1',
      logger: silent,
    });
    queues.push(q);
    return q;
  };
  afterEach(() => queues.splice(0).forEach((q) => q.destroy()));

  it('arms no timer when nothing is pending and the connection is not throttled', () => {
    const q = queue();
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still arms a timer while requests are pending', () => {
    const q = queue();
    q.pending.push({});
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
  });

  it('still arms a timer until a broker-requested throttle ends', () => {
    const q = queue();
    q.throttledUntil = Date.now() + 60_000;
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
  });
});
