import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { KubeConfig } from '@kubernetes/client-node';
import { DriftlineError } from '@driftline/shared/errors';
import { kubeError } from './kube-error.ts';
import { kubeGet } from './kube-get.ts';

/** WatchLineHandler receives one decoded line of a watch stream: the event type and its object. */
export type WatchLineHandler = (type: string, object: unknown) => void;

/**
 * requestWatch opens one Kubernetes watch (`GET <url>` with `watch=true`) with the kubeconfig's own
 * authentication and TLS (client-node's `applySecurityAuthentication` and dispatcher) and hands
 * each line's `{type, object}` to `onLine`; `onDone` is called exactly once, when the stream ends:
 * with `null` for a clean end (the server's `timeoutSeconds`), else with a `DriftlineError`.
 *
 * Why not client-node's `Watch` class: it throws away the response headers of a refused watch
 * (so a 429's Retry-After was lost and the watcher retried sooner than the server asked), it drops
 * lines it cannot parse without a word (an event lost with no trace), and its inactivity timer
 * is a private field. Here a refusal carries its status and Retry-After (`kubeError`), an
 * unparsable line ends the stream with an error — the reflector re-watches from the last
 * resourceVersion it stored, so nothing is skipped — and `inactivityMs` is a parameter.
 *
 * Returns the request's AbortController once the request is sent; aborting it ends the stream
 * (`onDone` then receives the abort error, which callers that aborted on purpose ignore).
 */
export async function requestWatch(
  kc: KubeConfig,
  url: URL,
  inactivityMs: number,
  onLine: WatchLineHandler,
  onDone: (error: DriftlineError | null) => void,
): Promise<AbortController> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let finished = false;
  const finish = (error: DriftlineError | null): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    controller.abort();
    onDone(error);
  };
  const rearm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(
      () => finish(new DriftlineError('TIMEOUT', `watch stream silent for ${inactivityMs} ms`)),
      inactivityMs,
    );
    timer.unref();
  };

  const watchUrl = new URL(url);
  watchUrl.searchParams.set('watch', 'true');
  rearm(); // until the response headers arrive, the same timer bounds the connect
  let response;
  try {
    response = await kubeGet(kc, watchUrl, controller.signal);
  } catch (error) {
    finish(error instanceof DriftlineError ? error : kubeError(undefined, null, error));
    return controller;
  }
  if (response.body === null) {
    finish(null);
    return controller;
  }

  rearm();
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  body.on('data', rearm);
  body.on('error', (error) => finish(kubeError(undefined, null, error)));
  const lines = createInterface({ input: body, crlfDelay: Infinity });
  // readline re-emits the body's errors (an abort included): without a listener they would crash.
  lines.on('error', (error) => finish(kubeError(undefined, null, error)));
  lines.on('line', (line) => {
    if (finished || line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      finish(
        new DriftlineError('K8S_UNAVAILABLE', 'unparsable watch event; re-watching', {
          details: { bytes: line.length },
        }),
      );
      return;
    }
    const event = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    if (typeof event['type'] !== 'string') {
      finish(new DriftlineError('K8S_UNAVAILABLE', 'watch event without a type; re-watching'));
      return;
    }
    onLine(event['type'], event['object']);
  });
  // readline closes after its last line is emitted, so every line is delivered before onDone.
  lines.on('close', () => finish(null));
  return controller;
}
