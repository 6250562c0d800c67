import type { Clock } from './clock.ts';

/** RequestVerb is the Kubernetes verb of an API request (`discovery` for the discovery endpoints). */
export type RequestVerb = 'discovery' | 'list' | 'watch' | 'get' | 'create' | 'update' | 'patch' | 'delete';

/** REQUEST_VERBS lists every RequestVerb, in a stable order for counters and docs. */
export const REQUEST_VERBS: readonly RequestVerb[] = [
  'discovery',
  'list',
  'watch',
  'get',
  'create',
  'update',
  'patch',
  'delete',
];

/** FaultLimits bounds a fault: it applies to the next `count` matching requests and/or for `durationMs`. */
export interface FaultLimits {
  /** Requests the fault applies to before it is used up; absent = unlimited. */
  readonly count?: number | undefined;
  /** How long the fault stays active after injection; absent = until cleared. */
  readonly durationMs?: number | undefined;
  /** Verbs the fault applies to; absent = every verb except `discovery`. */
  readonly verbs?: readonly RequestVerb[] | undefined;
}

/**
 * FaultSpec is one injectable fault of a simulated cluster:
 * - `throttle`: answer 429 TooManyRequests with `Retry-After: retryAfterSeconds`;
 * - `error`: answer `statusCode` (500 InternalError by default);
 * - `stall`: accept the request and write nothing until released, or for `stallMs`;
 * - `gone`: a 410 storm — any watch or list that needs a revision older than the current one is
 *   answered Expired, as after an etcd compaction;
 * - `slow-list`: delay every LIST page by `delayMsPerPage`;
 * - `drop-watch`: a watch that opens while the fault is active has its connection destroyed after
 *   `afterEvents` events (0 = right after the response headers).
 */
export type FaultSpec =
  | ({ readonly type: 'throttle'; readonly retryAfterSeconds: number } & FaultLimits)
  | ({ readonly type: 'error'; readonly statusCode?: 500 | 502 | 503 | undefined } & FaultLimits)
  | ({ readonly type: 'stall'; readonly stallMs?: number | undefined } & FaultLimits)
  | ({ readonly type: 'gone' } & FaultLimits)
  | ({ readonly type: 'slow-list'; readonly delayMsPerPage: number } & FaultLimits)
  | ({ readonly type: 'drop-watch'; readonly afterEvents: number } & FaultLimits);

/** ActiveFault is an injected fault with its id and what is left of it. */
export interface ActiveFault {
  readonly id: number;
  readonly spec: FaultSpec;
  readonly injectedAtMs: number;
  readonly remaining: number | undefined;
}

/** FaultDecision is what a request gets: a rejection, a stall, and/or modifiers. */
export interface FaultDecision {
  readonly reject?: { readonly statusCode: number; readonly retryAfterSeconds?: number } | undefined;
  /** Stall the request: `ms` = for how long (undefined = until released). */
  readonly stall?: { readonly ms: number | undefined } | undefined;
  readonly forceGone: boolean;
  readonly listDelayMs: number;
  readonly dropWatchAfterEvents?: number | undefined;
}

const NO_FAULT: FaultDecision = { forceGone: false, listDelayMs: 0 };

/**
 * FaultSchedule holds a cluster's active faults and decides, per request, which apply. Faults are
 * evaluated in injection order; the first rejecting one (throttle, error, stall) wins, modifiers
 * (gone, slow-list, drop-watch) stack. A fault with a `count` is used up by the requests it applied
 * to; one with `durationMs` expires by the injected clock. Pure apart from its own state.
 */
export class FaultSchedule {
  readonly #clock: Clock;
  readonly #faults: { id: number; spec: FaultSpec; injectedAtMs: number; remaining: number | undefined }[] =
    [];
  #nextId = 1;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** inject activates a fault and returns its id (for `clear`). */
  inject(spec: FaultSpec): number {
    const id = this.#nextId;
    this.#nextId += 1;
    this.#faults.push({ id, spec, injectedAtMs: this.#clock.now(), remaining: spec.count });
    return id;
  }

  /** clear removes one fault by id, or every fault without an id. */
  clear(id?: number): void {
    if (id === undefined) this.#faults.length = 0;
    else {
      const index = this.#faults.findIndex((f) => f.id === id);
      if (index >= 0) this.#faults.splice(index, 1);
    }
  }

  /** active lists the faults still in force. */
  active(): ActiveFault[] {
    this.#expire();
    return this.#faults.map((f) => ({ ...f }));
  }

  /** decide returns what the next request with `verb` suffers, consuming counted faults it hits. */
  decide(verb: RequestVerb): FaultDecision {
    this.#expire();
    if (this.#faults.length === 0) return NO_FAULT;
    let reject: FaultDecision['reject'];
    let stall: FaultDecision['stall'];
    let forceGone = false;
    let listDelayMs = 0;
    let dropWatchAfterEvents: number | undefined;
    for (const fault of this.#faults) {
      const { spec } = fault;
      if (!appliesTo(spec, verb)) continue;
      const rejecting = spec.type === 'throttle' || spec.type === 'error' || spec.type === 'stall';
      if (rejecting && (reject !== undefined || stall !== undefined)) continue;
      if (spec.type === 'slow-list' && verb !== 'list') continue;
      if (spec.type === 'drop-watch' && verb !== 'watch') continue;
      if (spec.type === 'gone' && verb !== 'list' && verb !== 'watch') continue;
      switch (spec.type) {
        case 'throttle':
          reject = { statusCode: 429, retryAfterSeconds: spec.retryAfterSeconds };
          break;
        case 'error':
          reject = { statusCode: spec.statusCode ?? 500 };
          break;
        case 'stall':
          stall = { ms: spec.stallMs };
          break;
        case 'gone':
          forceGone = true;
          break;
        case 'slow-list':
          listDelayMs += spec.delayMsPerPage;
          break;
        case 'drop-watch':
          dropWatchAfterEvents = Math.min(dropWatchAfterEvents ?? Infinity, spec.afterEvents);
          break;
      }
      if (fault.remaining !== undefined) fault.remaining -= 1;
    }
    this.#removeUsedUp();
    return { reject, stall, forceGone, listDelayMs, dropWatchAfterEvents };
  }

  #expire(): void {
    const nowMs = this.#clock.now();
    for (let i = this.#faults.length - 1; i >= 0; i -= 1) {
      const fault = this.#faults[i];
      if (fault?.spec.durationMs !== undefined && nowMs - fault.injectedAtMs >= fault.spec.durationMs) {
        this.#faults.splice(i, 1);
      }
    }
  }

  #removeUsedUp(): void {
    for (let i = this.#faults.length - 1; i >= 0; i -= 1) {
      if (this.#faults[i]?.remaining === 0) this.#faults.splice(i, 1);
    }
  }
}

function appliesTo(spec: FaultSpec, verb: RequestVerb): boolean {
  return spec.verbs === undefined ? verb !== 'discovery' : spec.verbs.includes(verb);
}
