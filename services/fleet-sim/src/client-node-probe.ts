import { ApiException, Watch, type KubeConfig } from '@kubernetes/client-node';

// Test support shared by the suites that drive a simulated cluster with the real client-node.

/**
 * watchUntil opens a watch with client-node's `Watch` and resolves with its events once `until`
 * holds (`ended: 'until'`), or when the stream ends (`ended`: the error, or 'closed'). The request's
 * AbortController is pushed to `aborts` so the suite can close every watch after each test.
 */
export function watchUntil<E extends { type: string }>(
  kc: KubeConfig,
  aborts: AbortController[],
  path: string,
  params: Record<string, string | number | boolean | undefined>,
  until: (events: E[]) => boolean,
): Promise<{ events: E[]; ended: unknown }> {
  return new Promise((resolve, reject) => {
    const events: E[] = [];
    let settled = false;
    const settle = (ended: unknown) => {
      if (settled) return;
      settled = true;
      resolve({ events, ended });
    };
    new Watch(kc)
      .watch(
        path,
        params,
        (type, object) => {
          events.push({ type, object } as unknown as E);
          if (until(events)) settle('until');
        },
        (err) => settle(err ?? 'closed'),
      )
      .then((controller) => aborts.push(controller), reject);
  });
}

/** expectApiError resolves with the ApiException `promise` rejects with; anything else fails. */
export async function expectApiError(promise: Promise<unknown>): Promise<ApiException<unknown>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) return error;
    throw error;
  }
  throw new Error('expected an ApiException');
}
