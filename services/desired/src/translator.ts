import type { DesiredDatabase, ProviderRecord } from '@driftline/schemas';
import { formatClusterTime, type SourceChange, type SourceCollection } from './change.ts';
import type { KeyIndex } from './key-index.ts';
import {
  correlationIdFor,
  databaseKeyOf,
  positionLabelOf,
  toDesiredDatabase,
  toProviderRecord,
  type CredentialsSealer,
  type RecordOrigin,
} from './mapping.ts';
import { parseCommonDatabaseBson, parseCommonDatabaseDocument } from './database-document-fast-path.ts';
import {
  databaseDocumentSchema,
  providerDocumentSchema,
  validateDocument,
  type DatabaseDocument,
  type DocumentValidation,
} from './source-document.ts';

/**
 * RecordOutput is one record to publish: `value` null is a tombstone. `documentId` travels as
 * the `driftline-source-id` header so the key index can be rebuilt from the topic.
 */
export interface RecordOutput {
  readonly type: 'record';
  readonly collection: SourceCollection;
  readonly key: string;
  readonly value: DesiredDatabase | ProviderRecord | null;
  readonly documentId: string;
  readonly correlationId: string;
}

/** DeadLetterReason is why a source document was dead-lettered (a metric label). */
export type DeadLetterReason = 'invalid' | 'oversize' | 'key-conflict' | 'credentials-unsealable';

/**
 * DeadLetterOutput is a source document that can never be published. `document` is a copy with
 * `credentials` replaced by "[REDACTED]" (null when oversize); `message` names fields and rules,
 * never values.
 */
export interface DeadLetterOutput {
  readonly type: 'dead-letter';
  readonly collection: SourceCollection;
  readonly documentId: string;
  readonly reason: DeadLetterReason;
  readonly message: string;
  readonly document: Readonly<Record<string, unknown>> | null;
  readonly clusterTime: string | null;
  readonly correlationId: string;
}

/**
 * SkipOutput is a change that publishes nothing: a delete of a document that was never published
 * (it was invalid), or an update whose `updateLookup` found the document already deleted (the
 * delete event that follows publishes the tombstone).
 */
export interface SkipOutput {
  readonly type: 'skip';
  readonly collection: SourceCollection;
  readonly documentId: string;
  readonly reason: 'unknown-document' | 'document-gone';
}

/** TranslatorOutput is what one source change turns into. */
export type TranslatorOutput = RecordOutput | DeadLetterOutput | SkipOutput;

/**
 * TranslatorContext carries the translator's settings: the size limit, the credentials sealer
 * (null when no key is configured: providers with clear-text credentials are then dead-lettered),
 * the clock reading, and the snapshot id for snapshot reads.
 */
export interface TranslatorContext {
  readonly maxDocumentBytes: number;
  readonly seal: CredentialsSealer | null;
  readonly nowMs: number;
  readonly snapshotId: string | null;
}

/** REDACTED replaces secret fields in dead-lettered source documents. */
export const REDACTED = '[REDACTED]';

/** redactSourceDocument copies a source document with its `credentials` field replaced by REDACTED. */
export function redactSourceDocument(document: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...document };
  if ('credentials' in copy && copy['credentials'] !== null && copy['credentials'] !== undefined)
    copy['credentials'] = REDACTED;
  return copy;
}

/**
 * translateChange turns one source change into outputs, in publish order, and updates `index`:
 * - insert / update / replace / snapshot with a valid document: a record under its key; when the
 *   document moved to another key (provider, namespace, kind or name changed), a tombstone for the
 *   old key first;
 * - a document that fails validation or exceeds the size limit: a dead letter; the key it was last
 *   published under keeps its last good record (an invalid edit is not a deletion);
 * - a document whose key another document already holds: a dead letter (`key-conflict`);
 * - delete: a tombstone for the key the document was published under.
 * Outputs are deterministic for a given change and index (correlation ids included), except the
 * random IV of sealed credentials.
 */
export function translateChange(
  change: SourceChange,
  index: KeyIndex,
  context: TranslatorContext,
): TranslatorOutput[] {
  const { collection, documentId } = change;
  const correlationId = correlationIdFor(collection, documentId, positionLabelOf(change, context.snapshotId));
  if (change.operationType === 'delete') {
    const key = index.keyOf(documentId);
    if (key === undefined) return [{ type: 'skip', collection, documentId, reason: 'unknown-document' }];
    index.removeDocument(documentId);
    return [{ type: 'record', collection, key, value: null, documentId, correlationId }];
  }
  // A change with raw BSON has a document; reading `document` would decode it.
  if (change.bson === undefined && change.document === null)
    return [{ type: 'skip', collection, documentId, reason: 'document-gone' }];
  const deadLetter = (reason: DeadLetterReason, message: string): DeadLetterOutput => ({
    type: 'dead-letter',
    collection,
    documentId,
    reason,
    message,
    document:
      reason === 'oversize' || change.document === null ? null : redactSourceDocument(change.document),
    clusterTime: change.clusterTime === null ? null : formatClusterTime(change.clusterTime),
    correlationId,
  });
  const origin: RecordOrigin = {
    clusterTime: change.clusterTime,
    wallTimeMs: change.wallTimeMs,
    nowMs: context.nowMs,
  };
  let key: string;
  let value: DesiredDatabase | ProviderRecord;
  if (collection === 'databases') {
    const validation = validateDatabaseDocument(change, context.maxDocumentBytes);
    if (!validation.ok) return [deadLetter(validation.kind, validation.reason)];
    key = databaseKeyOf(validation.value);
    value = toDesiredDatabase(validation.value, key, origin, correlationId);
  } else {
    const validation = validateDocument(
      providerDocumentSchema,
      change.document,
      change.sizeBytes,
      context.maxDocumentBytes,
    );
    if (!validation.ok) return [deadLetter(validation.kind, validation.reason)];
    const seal = context.seal;
    if (validation.value.credentials !== null && seal === null) {
      return [
        deadLetter(
          'credentials-unsealable',
          'credentials: present in clear text but no DESIRED_CREDENTIALS_KEY is configured',
        ),
      ];
    }
    key = validation.value.id;
    value = toProviderRecord(validation.value, origin, seal ?? unreachableSeal);
  }
  const previousKey = index.claim(documentId, key);
  if (typeof previousKey === 'object') {
    return [deadLetter('key-conflict', `key ${key} is already held by document ${previousKey.heldBy}`)];
  }
  const record: RecordOutput = { type: 'record', collection, key, value, documentId, correlationId };
  if (previousKey === undefined || previousKey === key) return [record];
  return [{ type: 'record', collection, key: previousKey, value: null, documentId, correlationId }, record];
}

// The common shape read from the raw BSON when the adapter kept it (the document is then never
// decoded whole); anything else, and every oversize document, goes through validateDocument.
function validateDatabaseDocument(
  change: SourceChange,
  maxBytes: number,
): DocumentValidation<DatabaseDocument> {
  if (change.bson !== undefined && change.sizeBytes <= maxBytes) {
    const fast = parseCommonDatabaseBson(change.bson);
    if (fast !== undefined) return { ok: true, value: fast };
  }
  return validateDocument(
    databaseDocumentSchema,
    change.document,
    change.sizeBytes,
    maxBytes,
    parseCommonDatabaseDocument,
  );
}

const unreachableSeal: CredentialsSealer = () => {
  throw new Error('unreachable: credentials without a sealer are dead-lettered');
};

/**
 * tombstonesForVanished lists a tombstone for every key of `before` (the index as downstream
 * holds it) that no document of `after` (the index a snapshot just built) holds: the documents
 * deleted, or moved to another key, while the service could not follow the change stream.
 */
export function tombstonesForVanished(
  collection: SourceCollection,
  before: KeyIndex,
  after: KeyIndex,
  snapshotId: string,
): RecordOutput[] {
  const outputs: RecordOutput[] = [];
  for (const [documentId, key] of before.entries()) {
    if (after.ownerOf(key) !== undefined) continue;
    const correlationId = correlationIdFor(collection, documentId, `vanished:${snapshotId}`);
    outputs.push({ type: 'record', collection, key, value: null, documentId, correlationId });
  }
  return outputs;
}
