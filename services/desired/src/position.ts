import type { ClusterTime, SourceCollection } from './change.ts';

/**
 * ResumeToken is a change stream's opaque resume token (`{ _data: '<hex>' }`), stored and handed
 * back to the server unchanged.
 */
export type ResumeToken = Readonly<Record<string, unknown>>;

/**
 * StreamStart is where a change stream opens: after a resume token, or at a cluster time
 * (`startAtOperationTime`, inclusive) taken before a snapshot began.
 */
export type StreamStart =
  | { readonly kind: 'resume-token'; readonly token: ResumeToken }
  | { readonly kind: 'cluster-time'; readonly clusterTime: ClusterTime };

/**
 * StoredPosition is the durable position of one collection's change stream, saved in the
 * `driftline_positions` collection only after Kafka acknowledged every record up to it.
 * `clusterTime` is the position's cluster time (decoded from the token when possible) and feeds
 * the position-age metric; `snapshotId` names the snapshot the stream continues from.
 */
export interface StoredPosition {
  readonly collection: SourceCollection;
  readonly start: StreamStart;
  readonly clusterTime: ClusterTime | null;
  readonly snapshotId: string;
  readonly savedAtMs: number;
}

/**
 * clusterTimeOfResumeToken reads the cluster time a resume token encodes, or null when the format
 * is unknown. MongoDB (4.2+) tokens are KeyString hex: byte 0x82 (timestamp type) followed by the
 * big-endian seconds and ordinal; mongo-java-server's are 16 hex digits of `t << 32 | i`.
 */
export function clusterTimeOfResumeToken(token: ResumeToken | null): ClusterTime | null {
  const data = token?.['_data'];
  if (typeof data !== 'string' || !/^[0-9a-fA-F]+$/.test(data)) return null;
  if (data.length >= 18 && data.slice(0, 2).toLowerCase() === '82') {
    return { t: Number.parseInt(data.slice(2, 10), 16), i: Number.parseInt(data.slice(10, 18), 16) };
  }
  if (data.length === 16)
    return { t: Number.parseInt(data.slice(0, 8), 16), i: Number.parseInt(data.slice(8, 16), 16) };
  return null;
}

/**
 * positionAgeSeconds is how far behind "now" a stored position is: now minus its cluster time,
 * or minus the time it was saved when the cluster time is unknown. An operator compares it with
 * the oplog window: once it exceeds the window, resuming fails with ChangeStreamHistoryLost and
 * the service resnapshots. Never negative.
 */
export function positionAgeSeconds(position: StoredPosition, nowMs: number): number {
  const atMs = position.clusterTime === null ? position.savedAtMs : position.clusterTime.t * 1000;
  return Math.max(0, (nowMs - atMs) / 1000);
}

/** PositionLostReason says why a stored position can no longer be resumed (a metric label). */
export type PositionLostReason = 'history-lost' | 'invalidate' | 'invalid-token' | 'unidentifiable-change';

// Server error codes that mean "this resume token can never be resumed": 286 ChangeStreamHistoryLost
// (the token fell off the oplog), 280 ChangeStreamFatalError (e.g. the token's collection was
// dropped or the resume point is no longer in the oplog on older servers), 136 CappedPositionLost,
// 260 InvalidResumeToken. Everything else (network, elections, auth) is not a lost position.
const lostPositionCodes: ReadonlyMap<number, PositionLostReason> = new Map([
  [286, 'history-lost'],
  [280, 'history-lost'],
  [136, 'history-lost'],
  [260, 'invalid-token'],
]);

/**
 * positionLostReason tells whether an error from opening or reading a change stream means the
 * stored position is gone for good (so the only way forward is a resnapshot), and why; null for
 * every other error (retry with backoff, or crash for authentication). It reads the numeric `code`
 * of MongoDB server errors and the `positionLost` field of PositionLostError.
 */
export function positionLostReason(error: unknown): PositionLostReason | null {
  if (error instanceof PositionLostError) return error.reason;
  if (typeof error !== 'object' || error === null) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? (lostPositionCodes.get(code) ?? null) : null;
}

/**
 * PositionLostError is raised by the change-stream adapter for position losses the server does
 * not report as an error: an `invalidate` event (collection dropped or renamed), a `drop`/`rename`
 * event, or a change the adapter cannot attribute to a document (no `_id` anywhere in the event).
 */
export class PositionLostError extends Error {
  readonly reason: PositionLostReason;

  constructor(reason: PositionLostReason, message: string) {
    super(message);
    this.name = 'PositionLostError';
    this.reason = reason;
  }
}
