import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { fetch, type Response } from 'undici';
import { kubeError } from './kube-error.ts';

/**
 * kubeGet sends one authenticated GET to a provider's API server, with the kubeconfig's own
 * credentials and TLS settings (client-node's `applySecurityAuthentication` and dispatcher), and
 * returns the response when it is 200. Anything else throws the classified `kubeError` — with the
 * status and a 429's Retry-After, which client-node's generated clients and `Watch` class do not
 * expose; a network failure or abort throws `K8S_UNAVAILABLE` / `TIMEOUT`.
 */
export async function kubeGet(kc: KubeConfig, url: URL, signal: AbortSignal | undefined): Promise<Response> {
  const context = new RequestContext(url.toString(), HttpMethod.GET);
  await kc.applySecurityAuthentication(context);
  let response;
  try {
    response = await fetch(url, {
      method: 'GET',
      headers: { ...context.getHeaders(), accept: 'application/json' },
      dispatcher: context.getDispatcher() as never,
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (error) {
    throw kubeError(undefined, null, error);
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw kubeError(response.status, response.headers.get('retry-after'));
  }
  return response;
}
