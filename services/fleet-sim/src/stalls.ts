import type { ServerResponse } from 'node:http';

/**
 * Stalls holds the requests a `stall` fault accepted and is not answering. A held request
 * continues when released (or after its own `ms`), and is abandoned when the client gives up
 * first. `destroyAll` is for shutdown.
 */
export class Stalls {
  readonly #held = new Map<ServerResponse, () => void>();

  /** size is the number of requests currently held. */
  get size(): number {
    return this.#held.size;
  }

  /**
   * hold resolves `true` when the request may continue (released, or `ms` elapsed) and `false`
   * when the client disconnected meanwhile.
   */
  hold(res: ServerResponse, ms: number | undefined): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (proceed: boolean) => {
        if (!this.#held.delete(res)) return;
        if (timer !== undefined) clearTimeout(timer);
        resolve(proceed);
      };
      this.#held.set(res, () => finish(true));
      res.once('close', () => finish(false));
      if (ms !== undefined) timer = setTimeout(() => finish(true), ms);
    });
  }

  /** releaseAll lets every held request continue; returns how many there were. */
  releaseAll(): number {
    const releases = [...this.#held.values()];
    for (const release of releases) release();
    return releases.length;
  }

  /** destroyAll drops every held connection without an answer. */
  destroyAll(): void {
    for (const res of [...this.#held.keys()]) res.destroy();
  }
}
