import { BSON, MongoNetworkError, MongoServerSelectionError, type Document } from 'mongodb';
import { DriftlineError, judge, type DriftlineErrorCode } from '@driftline/shared/errors';
import type { Logger } from '@driftline/shared/logging';
import { fullJitterDelay, systemRandom, type Clock, type Random } from '@driftline/shared/resilience';
import { claimId, type Claim } from './claim.ts';
import { lateLineageWrites, resolveLineageWrites, settleClaimWrites, type ResolvedDrift } from './lineage.ts';
import { noopSinkMetrics, type SinkMetricsPort } from './sink-metrics.ts';
import type { SinkStorePort } from './store.ts';
import { isNewer, storedVersionFilter } from './version-guard.ts';
import { sortWriteErrors } from './write-outcome.ts';
import type { FollowUp, PlannedWrite, RecordPlan, SinkCollection } from './write-plan.ts';

/** RecordFailure is why a record could not be written: it goes to the dead-letter topic. */
export interface RecordFailure {
  readonly code: DriftlineErrorCode;
  readonly message: string;
  readonly retryable: boolean;
  readonly attempts: number;
}

/** ChunkWriterOptions configure `createChunkWriter`. */
export interface ChunkWriterOptions {
  readonly store: SinkStorePort;
  /** Attempts per model refused with a retryable write error (the first included) before dead-lettering. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Called once when MongoDB stops answering (pause consumption, readiness red). */
  readonly onUnavailable: (error: unknown) => void;
  /** Called once when it answers again. */
  readonly onAvailable: () => void;
  readonly logger: Logger;
  readonly metrics?: SinkMetricsPort;
  readonly clock: Clock;
  readonly random?: Random;
  /** Waits `ms`; rejects when `signal` aborts. Injected so tests never sleep. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** ChunkWriter writes chunks of planned records. */
export interface ChunkWriter {
  /**
   * write runs the records' writes (one unordered bulkWrite per collection), then their
   * follow-ups, and resolves with the records that failed for good, by index. Everything not in
   * the map is acknowledged by MongoDB. Rejects only when `signal` aborts or on an error that
   * must crash the process (a programmer error, refused credentials).
   */
  write(plans: readonly RecordPlan[], signal: AbortSignal): Promise<Map<number, RecordFailure>>;
  /** unavailable is true while MongoDB does not answer. */
  readonly unavailable: boolean;
}

// The server's limit on one BSON document (maxBsonObjectSize); a bigger update or replacement is
// refused by the driver before anything is sent, failing the whole bulkWrite, so it is checked first.
const MAX_BSON_BYTES = 16 * 1024 * 1024;
// E11000 duplicate key.
const DUPLICATE_KEY = 11000;
// What the pre-read of version-guarded writes needs of a stored document.
const VERSION_FIELDS = ['version', 'sourceOffset'] as const;

interface Attributed {
  readonly record: number;
  readonly write: PlannedWrite;
  /** Sent alone: its group failed as a whole for a reason that is not retryable. */
  readonly alone: boolean;
  /** For an `insertOne` standing in for a guarded upsert: what to send if the document exists after all. */
  readonly fallback?: PlannedWrite;
}

interface StoredVersion {
  readonly version: unknown;
  readonly sourceOffset: unknown;
}

/**
 * rounds splits a chunk's writes so that no bulkWrite holds two writes of the same document: an
 * unordered bulkWrite may apply them in any order (the driver even regroups by operation type),
 * and an upsert and a tombstone of one key must apply in consumption order. The first write of
 * each document goes in round 1, the second in round 2, and so on; rounds run one after another.
 */
function rounds(items: readonly Attributed[]): Attributed[][] {
  const seen = new Map<string, number>();
  const out: Attributed[][] = [];
  for (const item of items) {
    const id = `${item.write.collection}/${item.write.id}`;
    const round = seen.get(id) ?? 0;
    seen.set(id, round + 1);
    (out[round] ??= []).push(item);
  }
  return out;
}

function modelBytes(write: PlannedWrite): number {
  return BSON.calculateObjectSize(write.model as Document);
}

function unreachable(error: unknown): boolean {
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) return true;
  return error instanceof DriftlineError && error.code === 'MONGO_UNAVAILABLE';
}

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * createChunkWriter returns the ChunkWriter. Failure handling, per model:
 * - acknowledged, or duplicate key on a version-guarded upsert (a newer version is stored):
 *   written;
 * - a retryable write error (write conflict, not primary, timeout): only the failed models are
 *   sent again, after an exponential backoff with full jitter, at most `maxAttempts` times in
 *   all; after that the record is dead-lettered (`retryable: true`);
 * - a permanent write error (validation, document too large, checked before sending): the record
 *   is dead-lettered at once, the rest of the chunk goes on;
 * - the whole call failing because MongoDB cannot be reached (network, server selection):
 *   `onUnavailable` (the sink pauses consumption, readiness turns red), then the same call is
 *   retried with capped backoff until MongoDB answers or `signal` aborts — an outage never
 *   dead-letters anything; `onAvailable` once it answers again;
 * - the whole call failing for another retryable reason: bounded like a retryable write error;
 * - the whole call refused for good: its models are sent one by one, so only the culprit is
 *   dead-lettered;
 * - an error `classify` says must crash (programmer error, authentication): rejects.
 */
export function createChunkWriter(options: ChunkWriterOptions): ChunkWriter {
  const metrics = options.metrics ?? noopSinkMetrics;
  const random = options.random ?? systemRandom;
  const sleep = options.sleep ?? defaultSleep;
  const backoff = (attempt: number): number =>
    fullJitterDelay(attempt, {
      initialDelayMs: options.initialDelayMs,
      maxDelayMs: options.maxDelayMs,
      random,
    });
  let down = false;

  /** call runs one bulkWrite, waiting out an unreachable MongoDB. */
  async function call(collection: SinkCollection, group: readonly Attributed[], signal: AbortSignal) {
    for (let outage = 0; ; outage += 1) {
      const started = options.clock.now();
      try {
        const outcome = await options.store.bulkWrite(
          collection,
          group.map((item) => item.write.model),
        );
        metrics.writeLatency(collection, (options.clock.now() - started) / 1000);
        if (down) {
          down = false;
          options.logger.info({ collection }, 'MongoDB answers again: resuming');
          options.onAvailable();
        }
        return outcome;
      } catch (error) {
        if (!unreachable(error)) throw error;
        if (!down) {
          down = true;
          options.logger.warn(
            { err: error, collection },
            'MongoDB unreachable: pausing consumption until it answers',
          );
          options.onUnavailable(error);
        }
        await sleep(backoff(outage), signal);
      }
    }
  }

  async function run(
    items: readonly Attributed[],
    failures: Map<number, RecordFailure>,
    signal: AbortSignal,
  ) {
    let pending = items.filter((item) => !failures.has(item.record));
    let attempt = 1;
    while (pending.length > 0) {
      const groups = new Map<string, { collection: SinkCollection; items: Attributed[] }>();
      pending.forEach((item, index) => {
        const collection = item.write.collection;
        const groupKey = item.alone ? `${collection}#${index}` : collection;
        const group = groups.get(groupKey) ?? { collection, items: [] };
        group.items.push(item);
        groups.set(groupKey, group);
      });
      const retry: Attributed[] = [];
      const split: Attributed[] = [];
      let retryCode: DriftlineErrorCode = 'MONGO_UNAVAILABLE';
      let retryMessage = '';
      const fail = (item: Attributed | undefined, failure: RecordFailure): void => {
        if (item !== undefined) failures.set(item.record, failure);
      };
      await Promise.all(
        [...groups.values()].map(async ({ collection, items: group }) => {
          try {
            const outcome = await call(collection, group, signal);
            // An insert standing in for a guarded upsert found the document after all (another
            // sink wrote it since it was read): send the guarded upsert instead, no attempt spent.
            const existed = new Set(
              outcome.writeErrors
                .filter(
                  (failure) => failure.code === DUPLICATE_KEY && group[failure.index]?.fallback !== undefined,
                )
                .map((failure) => failure.index),
            );
            for (const index of existed) {
              const item = group[index];
              if (item?.fallback !== undefined)
                split.push({ record: item.record, write: item.fallback, alone: false });
            }
            const sorted = sortWriteErrors(
              group.map((item) => item.write.staleIsWritten),
              outcome.writeErrors.filter((failure) => !existed.has(failure.index)),
            );
            metrics.chunkWritten(collection, sorted.written.length - existed.size);
            for (const index of sorted.retry) {
              const item = group[index];
              if (item !== undefined) retry.push(item);
            }
            const firstRetry = outcome.writeErrors.find((failure) => failure.index === sorted.retry[0]);
            if (firstRetry !== undefined) {
              retryMessage = firstRetry.message;
              retryCode = 'MONGO_UNAVAILABLE';
            }
            for (const refused of sorted.refused) {
              fail(group[refused.index], {
                code: refused.code,
                message: refused.error.message,
                retryable: false,
                attempts: attempt,
              });
            }
          } catch (error) {
            if (signal.aborted) throw error;
            const verdict = judge(error);
            const message = error instanceof Error ? error.message : String(error);
            if (verdict.disposition === 'crash') throw error;
            if (verdict.disposition === 'retry') {
              retry.push(...group);
              retryCode = verdict.code;
              retryMessage = message;
            } else if (group.length > 1) {
              // Refused as a whole: find the culprit by sending each model alone.
              split.push(...group.map((item) => ({ ...item, alone: true })));
              options.logger.warn(
                { err: error, collection, models: group.length },
                'bulkWrite refused: writing one by one',
              );
            } else {
              fail(group[0], { code: verdict.code, message, retryable: false, attempts: attempt });
            }
          }
        }),
      );
      const open = (list: readonly Attributed[]) => list.filter((item) => !failures.has(item.record));
      const again = open(retry);
      if (again.length === 0) {
        // Only splits and fallbacks (or nothing) left: not a retry, no attempt is spent.
        pending = open(split);
        continue;
      }
      if (attempt >= options.maxAttempts) {
        for (const item of again) {
          failures.set(item.record, {
            code: retryCode,
            message: `still failing after ${attempt} attempts: ${retryMessage}`,
            retryable: true,
            attempts: attempt,
          });
        }
        pending = open(split);
        continue;
      }
      pending = [...again, ...open(split)];
      metrics.retried(again.length, retryCode);
      options.logger.info({ models: again.length, attempt }, 'retrying the failed part of the chunk');
      await sleep(backoff(attempt - 1), signal);
      attempt += 1;
    }
  }

  /** find reads, waiting out an unreachable MongoDB like a write does. */
  async function find(
    collection: SinkCollection,
    filter: Document,
    signal: AbortSignal,
    fields?: readonly string[],
  ): Promise<Document[]> {
    for (let outage = 0; ; outage += 1) {
      try {
        return await options.store.find(collection, filter, fields);
      } catch (error) {
        if (!unreachable(error) && judge(error).disposition !== 'retry') throw error;
        await sleep(backoff(outage), signal);
      }
    }
  }

  /**
   * prepare reads the stored versions of the round's guarded upserts (one `_id $in` query per
   * collection) and skips what is stale (counted as written), turns what is missing into an
   * `insertOne` of the whole document, and what is older into a compare-and-set on the version it
   * read (`storedVersionFilter`). Either stand-in fails with duplicate key when another writer
   * changed the document since the read, and then the guarded upsert is sent instead, so the
   * guard stays atomic in every case. Beyond saving writes, this keeps every filter an indexed
   * equality: mongo-java-server scans the whole collection for the guarded upsert's `$or`, one
   * O(documents) write per update (MongoDB uses the `_id` index either way). A stored document
   * without a numeric version gets the guarded upsert directly.
   */
  async function prepare(items: readonly Attributed[], signal: AbortSignal): Promise<Attributed[]> {
    const ids = new Map<SinkCollection, string[]>();
    for (const item of items) {
      if (item.write.guard === undefined) continue;
      const list = ids.get(item.write.collection) ?? [];
      list.push(item.write.id);
      ids.set(item.write.collection, list);
    }
    const stored = new Map<string, StoredVersion>();
    for (const [collection, list] of ids) {
      // Only the versions: a whole observed document is ~1 KiB to encode and decode, per record.
      for (const doc of await find(collection, { _id: { $in: list } }, signal, VERSION_FIELDS)) {
        stored.set(`${collection}/${String(doc['_id'])}`, {
          version: doc['version'],
          sourceOffset: doc['sourceOffset'],
        });
      }
    }
    const out: Attributed[] = [];
    for (const item of items) {
      const guard = item.write.guard;
      if (guard === undefined) {
        out.push(item);
        continue;
      }
      const current = stored.get(`${item.write.collection}/${item.write.id}`);
      const standIn = (model: PlannedWrite['model']): Attributed => ({
        record: item.record,
        alone: false,
        fallback: item.write,
        write: { collection: item.write.collection, id: item.write.id, staleIsWritten: false, model },
      });
      if (current === undefined) {
        out.push(standIn({ insertOne: { document: guard.document } }));
      } else if (typeof current.version === 'number' && typeof current.sourceOffset === 'number') {
        const read = { version: current.version, sourceOffset: current.sourceOffset };
        if (!isNewer(guard.version, read)) continue;
        out.push(
          standIn({
            updateOne: {
              filter: storedVersionFilter(item.write.id, read),
              update: guard.update,
              upsert: true,
            },
          }),
        );
      } else {
        out.push(item);
      }
    }
    return out;
  }

  /**
   * openLineage says which of `keys` have an outstanding operation or an unreleased claim
   * (`operations/<key>`, `outstanding_operations/<key>`): one query per collection for a chunk's
   * resolved drifts, so a resolution's lineage `updateMany` is sent only where it can change
   * something. Most resolutions have none — the `missing`/`orphan` drifts of a key whose two
   * inputs arrive apart get no operation — and each such `updateMany` is a collection scan on
   * mongo-java-server. Skipping is safe: the drift is stored resolved before this read, so an
   * operation written after it finds the resolution through its own late-lineage follow-up.
   */
  async function openLineage(keys: readonly string[], signal: AbortSignal): Promise<Set<string>> {
    const open = new Set<string>();
    const queries = [
      ['operations', { key: { $in: keys }, outcome: 'outstanding' }],
      ['outstanding_operations', { key: { $in: keys }, released: false }],
    ] as const;
    for (const [collection, filter] of queries) {
      for (const doc of await find(collection, filter, signal, ['key']))
        open.add(`${collection}/${String(doc['key'])}`);
    }
    return open;
  }

  /**
   * contestedClaims says which of `claims` have an outstanding operation of their key and type
   * other than the holder: one read of the claims' keys for a chunk, so the settling `updateMany`
   * (a collection scan on mongo-java-server) is sent only where there is something to supersede —
   * an operation usually arrives alone. Skipping is safe: the claim is written before this read,
   * and an operation written after it settles through its own follow-up.
   */
  async function contestedClaims(claims: readonly Claim[], signal: AbortSignal): Promise<Set<string>> {
    const holders = new Map(claims.map((claim) => [claim._id, claim.operationId]));
    const keys = [...new Set(claims.map((claim) => claim.key))];
    const contested = new Set<string>();
    if (keys.length === 0) return contested;
    const filter = { key: { $in: keys }, outcome: 'outstanding' };
    for (const op of await find('operations', filter, signal, ['key', 'type'])) {
      const id = claimId(String(op['key']), String(op['type']));
      const holder = holders.get(id);
      if (holder !== undefined && op['_id'] !== holder) contested.add(id);
    }
    return contested;
  }

  async function followUpWrites(
    requests: readonly { record: number; followUp: FollowUp }[],
    signal: AbortSignal,
  ): Promise<Attributed[]> {
    const out: Attributed[] = [];
    const settle = new Map<string, number>();
    const late = new Map<string, number>();
    const resolutions: { record: number; key: string; eventId: string; atMs: number }[] = [];
    for (const { record, followUp } of requests) {
      if (followUp.type === 'resolve-lineage') {
        resolutions.push({ record, ...followUp });
      } else if (followUp.type === 'settle-claim') {
        const id = claimId(followUp.key, followUp.operationType);
        if (!settle.has(id)) settle.set(id, record);
      } else if (!late.has(followUp.key)) {
        late.set(followUp.key, record);
      }
    }
    if (settle.size > 0) {
      const claims = (await find(
        'outstanding_operations',
        { _id: { $in: [...settle.keys()] } },
        signal,
      )) as Claim[];
      const contested = await contestedClaims(claims, signal);
      for (const claim of claims) {
        const record = settle.get(claim._id);
        if (record === undefined || !contested.has(claim._id)) continue;
        for (const write of settleClaimWrites(claim)) out.push({ record, write, alone: false });
      }
    }
    if (resolutions.length > 0) {
      const open = await openLineage([...new Set(resolutions.map((r) => r.key))], signal);
      for (const { record, key, eventId, atMs } of resolutions) {
        for (const write of resolveLineageWrites(key, eventId, atMs)) {
          if (open.has(`${write.collection}/${key}`)) out.push({ record, write, alone: false });
        }
      }
    }
    if (late.size > 0) {
      // By `_id` alone, an indexed lookup on every server; `lateLineageWrites` skips unresolved ones.
      const drifts = (await find('drift', { _id: { $in: [...late.keys()] } }, signal)) as ResolvedDrift[];
      for (const drift of drifts) {
        const record = late.get(drift._id);
        if (record === undefined) continue;
        for (const write of lateLineageWrites(drift)) out.push({ record, write, alone: false });
      }
    }
    return out;
  }

  return {
    get unavailable() {
      return down;
    },
    async write(plans, signal) {
      const failures = new Map<number, RecordFailure>();
      const items: Attributed[] = [];
      plans.forEach((plan, record) => {
        for (const write of plan.writes) {
          if (modelBytes(write) > MAX_BSON_BYTES) {
            failures.set(record, {
              code: 'MONGO_WRITE_REJECTED',
              message: `document too large: ${write.collection}/${write.id} exceeds ${MAX_BSON_BYTES} bytes`,
              retryable: false,
              attempts: 0,
            });
          }
          items.push({ record, write, alone: false });
        }
      });
      for (const round of rounds(items)) await run(await prepare(round, signal), failures, signal);
      const requests = plans.flatMap((plan, record) =>
        failures.has(record) ? [] : plan.followUps.map((followUp) => ({ record, followUp })),
      );
      if (requests.length > 0) {
        for (const round of rounds(await followUpWrites(requests, signal)))
          await run(round, failures, signal);
      }
      return failures;
    },
  };
}
