import { Subject, type SchedulerLike } from 'rxjs';
import type { Logger } from '@driftline/shared/logging';
import { chunk } from './chunker.ts';
import type { ChunkWriter, RecordFailure } from './chunk-writer.ts';
import { createDispatcher } from './dispatcher.ts';
import type { RecordPlan } from './write-plan.ts';

/** SinkOptions configure `createSink`. */
export interface SinkOptions {
  readonly writer: ChunkWriter;
  readonly chunkSize: number;
  readonly chunkMaxWaitMs: number;
  readonly maxInFlightChunks: number;
  readonly logger: Logger;
  readonly scheduler?: SchedulerLike;
}

/** SinkProgress counts what the sink has done since it started. */
export interface SinkProgress {
  readonly chunks: number;
  readonly recordsWritten: number;
  readonly recordsFailed: number;
}

/** Sink writes planned records to MongoDB in chunks. */
export interface Sink {
  /**
   * submit queues the plans and resolves, in the same order, with null for each record MongoDB
   * acknowledged and its RecordFailure for each that must be dead-lettered. Rejects when the
   * writer rejects (a crash-class error) or the sink is stopped first.
   */
  submit(plans: readonly RecordPlan[]): Promise<(RecordFailure | null)[]>;
  progress(): SinkProgress;
  /** stop aborts waits (an unreachable MongoDB) and rejects what is not written yet. */
  stop(): void;
}

interface Pending {
  readonly plan: RecordPlan;
  readonly resolve: (failure: RecordFailure | null) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * createSink chunks submitted records across batches and partitions (`chunk`: at most
 * `chunkSize` records, the first waiting at most `chunkMaxWaitMs`), writes at most
 * `maxInFlightChunks` chunks at once (`createDispatcher`: never two chunks touching the same
 * document), and reports progress per chunk in the logs: `chunk i/n`, records written and
 * dead-lettered, totals. Records with nothing to write resolve at once.
 */
export function createSink(options: SinkOptions): Sink {
  const logger = options.logger.child({ component: 'sink' });
  const abort = new AbortController();
  const input = new Subject<Pending>();
  let recordsWritten = 0;
  let recordsFailed = 0;
  const dispatcher = createDispatcher<Pending>({
    maxInFlight: options.maxInFlightChunks,
    idsOf: (pending) => pending.plan.writes.map((write) => `${write.collection}/${write.id}`),
    async run(items, sequence) {
      try {
        const failures = await options.writer.write(
          items.map((item) => item.plan),
          abort.signal,
        );
        items.forEach((item, index) => item.resolve(failures.get(index) ?? null));
        recordsWritten += items.length - failures.size;
        recordsFailed += failures.size;
        logger.info(
          {
            chunk: sequence,
            chunks: dispatcher.enqueued,
            records: items.length,
            written: items.length - failures.size,
            deadLettered: failures.size,
            totalWritten: recordsWritten,
          },
          `chunk ${sequence}/${dispatcher.enqueued} written`,
        );
      } catch (error) {
        for (const item of items) item.reject(error);
      }
    },
  });
  const subscription = input
    .pipe(chunk({ size: options.chunkSize, maxWaitMs: options.chunkMaxWaitMs, scheduler: options.scheduler }))
    .subscribe((items) => dispatcher.enqueue(items));

  return {
    submit(plans) {
      if (abort.signal.aborted) return Promise.reject(new Error('sink stopped'));
      return Promise.all(
        plans.map((plan) => {
          if (plan.writes.length === 0 && plan.followUps.length === 0) return Promise.resolve(null);
          return new Promise<RecordFailure | null>((resolve, reject) =>
            input.next({ plan, resolve, reject }),
          );
        }),
      );
    },
    progress: () => ({ chunks: dispatcher.enqueued, recordsWritten, recordsFailed }),
    stop() {
      abort.abort(new Error('sink stopped'));
      subscription.unsubscribe();
    },
  };
}
