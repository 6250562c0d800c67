import type { DeadLetter } from '@driftline/schemas';
import { DriftlineError } from '@driftline/shared/errors';
import type { AvroSerde, ConsumedRecord, OutgoingRecord } from '@driftline/shared/kafka';
import { safeParseKey } from '@driftline/shared/keys';
import type { PartitionInput } from './partition-reconciler.ts';
import type { StepOutput } from './step.ts';

/** InputSide says which table a consumed record belongs to. */
export type InputSide = 'desired' | 'observed';

/** DecodedInput is a consumed record as the reconciler sees it: an input, or why it is dead. */
export type DecodedInput =
  | { readonly ok: true; readonly input: PartitionInput }
  | { readonly ok: false; readonly error: DriftlineError };

/**
 * decodeInput turns a consumed desired/observed record into a PartitionInput (a tombstone is a
 * change with `value: null`). A record that can never be processed resolves `ok: false` for the
 * dead-letter topic: no or invalid key (KEY_INVALID), an undecodable value (SERDE_FAILED or
 * SCHEMA_INCOMPATIBLE from the serde), or a value whose `key` is not the record key
 * (INPUT_INVALID: it would be joined under the wrong key). A retryable failure (registry
 * unreachable) rejects, so the batch is retried rather than dead-lettered.
 */
export async function decodeInput(
  side: InputSide,
  record: ConsumedRecord,
  serde: Pick<AvroSerde, 'decode'>,
): Promise<DecodedInput> {
  const key = record.key;
  if (key === null) return invalid('KEY_INVALID', 'record has no key');
  const keyError = validate(key);
  if (keyError !== null) return { ok: false, error: keyError };
  try {
    if (side === 'desired') {
      const value = await serde.decode('desired', record.value);
      if (value !== null && value.key !== key) return mismatch(value.key, key);
      return { ok: true, input: { type: 'desired', change: { key, value } } };
    }
    const value = await serde.decode('observed', record.value);
    if (value !== null && value.key !== key) return mismatch(value.key, key);
    return { ok: true, input: { type: 'observed', change: { key, value } } };
  } catch (error) {
    if (error instanceof DriftlineError && !error.retryable) return { ok: false, error };
    throw error;
  }
}

// Every change of a database carries its key, so keys repeat: one that parsed is remembered as
// valid instead of being parsed again (a few per cent of the service's CPU per input). Bounded:
// forgotten all at once when full, so memory stays flat whatever the number of keys.
const MAX_VALID_KEYS = 1 << 17;
const validKeys = new Set<string>();

/** validate returns why `key` is not a database key, or null when it is one. */
function validate(key: string): DriftlineError | null {
  if (validKeys.has(key)) return null;
  const parsed = safeParseKey(key);
  if (!parsed.ok) return parsed.error;
  if (validKeys.size >= MAX_VALID_KEYS) validKeys.clear();
  validKeys.add(key);
  return null;
}

function invalid(code: 'KEY_INVALID' | 'INPUT_INVALID', message: string): DecodedInput {
  return { ok: false, error: new DriftlineError(code, message, { retryable: false }) };
}

function mismatch(valueKey: string, recordKey: string): DecodedInput {
  return invalid('INPUT_INVALID', `value key ${valueKey} differs from the record key ${recordKey}`);
}

/**
 * toDeadLetter is the DeadLetter record of a consumed record the reconciler cannot process: its
 * position, its raw key and value bytes, and the error (code, message, retryable). One attempt:
 * the reconciler dead-letters only what can never succeed.
 */
export function toDeadLetter(record: ConsumedRecord, error: DriftlineError, nowMs: number): DeadLetter {
  return {
    originalTopic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key === null ? null : Buffer.from(record.key, 'utf8'),
    value: record.value,
    errorCode: error.code,
    errorMessage: error.message,
    retryable: error.retryable,
    attempts: 1,
    service: 'reconciler',
    failedAtMs: nowMs,
  };
}

/** OutputTopics names the topics the reconciler writes. */
export interface OutputTopics {
  readonly drift: string;
  readonly operations: string;
  readonly deadletter: string;
}

/**
 * encodeOutputs turns the step outputs of input partition `partition` into records, in the same
 * order: drift events to the drift topic, operations to the operations topic, each keyed by its
 * database key and sent to partition `partition` of the co-partitioned output topic — where the
 * key hashes to anyway, named so the producer need not hash it again (and so a rebuild of
 * `partition` finds the drift events it seeds from). No headers: the correlation id is a field of
 * both values, and a header per record cost encoding here and decoding in every consumer.
 * Status outputs are not published.
 */
export async function encodeOutputs(
  outputs: readonly StepOutput[],
  serde: Pick<AvroSerde, 'encode'>,
  topics: OutputTopics,
  partition: number,
): Promise<OutgoingRecord[]> {
  const records: OutgoingRecord[] = [];
  for (const output of outputs) {
    if (output.type === 'drift') {
      records.push({
        topic: topics.drift,
        key: output.event.key,
        value: await serde.encode('drift', output.event),
        partition,
      });
    } else if (output.type === 'operation') {
      records.push({
        topic: topics.operations,
        key: output.operation.key,
        value: await serde.encode('operations', output.operation),
        partition,
      });
    }
  }
  return records;
}

/** encodeDeadLetters turns dead letters into records for the dead-letter topic, keyed by the original key. */
export async function encodeDeadLetters(
  letters: readonly DeadLetter[],
  serde: Pick<AvroSerde, 'encode'>,
  topics: Pick<OutputTopics, 'deadletter'>,
): Promise<OutgoingRecord[]> {
  const records: OutgoingRecord[] = [];
  for (const letter of letters) {
    records.push({
      topic: topics.deadletter,
      key: letter.key === null ? null : letter.key.toString('utf8'),
      value: await serde.encode('deadletter', letter),
    });
  }
  return records;
}
