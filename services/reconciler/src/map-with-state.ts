import { Observable, type OperatorFunction } from 'rxjs';

/** Keyed is one input addressed to one key's state. */
export interface Keyed<I> {
  readonly key: string;
  readonly input: I;
}

/** KeyedStep is a pure per-key step: (state or null for a new key, input, key) → new state (null = drop) and outputs. */
export type KeyedStep<S, I, O> = (
  state: S | null,
  input: I,
  key: string,
) => { readonly state: S | null; readonly outputs: readonly O[] };

/** MapWithStateOptions lets the caller own the state table (to inspect or share it). */
export interface MapWithStateOptions<S> {
  /** The state table; default a new Map per subscription. One subscription at a time may use a given store. */
  readonly store?: Map<string, S>;
}

/**
 * mapWithState lifts a per-key `step` into an RxJS operator: for each `Keyed` input it looks up the
 * key's state in one `Map`, runs the step, stores the new state (deleting the key when the step
 * returns null, so deleted keys leak nothing) and emits the outputs synchronously, in order.
 *
 * Why one Map and not `groupBy(key)`: groupBy keeps a Subject, a subscription and an operator chain
 * per key (several hundred bytes each); a Map entry costs a few words. There is no buffer: memory
 * is the table, bounded by the number of live keys. Errors thrown by `step` error the stream.
 * A step may return the state it was given, updated in place (then the table entry is not
 * rewritten); it must then be the state's only user.
 */
export function mapWithState<S, I, O>(
  step: KeyedStep<S, I, O>,
  options: MapWithStateOptions<S> = {},
): OperatorFunction<Keyed<I>, O> {
  return (source) =>
    new Observable<O>((subscriber) => {
      const store = options.store ?? new Map<string, S>();
      return source.subscribe({
        next(item) {
          const key = item.key;
          const previous = store.get(key) ?? null;
          let result: ReturnType<KeyedStep<S, I, O>>;
          try {
            result = step(previous, item.input, key);
          } catch (error) {
            subscriber.error(error);
            return;
          }
          const next = result.state;
          if (next === null) {
            if (previous !== null) store.delete(key);
          } else if (next !== previous) {
            store.set(key, next);
          }
          for (const output of result.outputs) subscriber.next(output);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}
