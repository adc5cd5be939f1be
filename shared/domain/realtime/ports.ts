import type { ServerFrame } from '../../contract/wire.js';

/** Who is behind a WebSocket connection; stored at `$connect`, the only source of identity for its frames. */
export interface ConnectionRecord {
  connectionId: string;
  userId: string;
  sessionId: string;
  /** When `$connect` stored it; absent on records read by connection id. */
  connectedAtMs?: number;
}

/** A user's connections: `live` ones may be pushed to; `ended` ones (their session is gone) must be closed. */
export interface ConnectionLookup {
  live: ConnectionRecord[];
  ended: ConnectionRecord[];
}

/** Connection ids in Redis: by id (single key) and per user (hash-tagged), both expiring past API Gateway's 2 h. */
export interface ConnectionStore {
  /** Throws AppError('too_many_connections') when the user already has `maxPerUser` live connections. */
  add(record: ConnectionRecord, ttlSeconds: number, maxPerUser?: number): Promise<{ firstForUser: boolean }>;
  find(connectionId: string): Promise<ConnectionRecord | null>;
  remove(record: ConnectionRecord): Promise<{ lastForUser: boolean }>;
  /** Drops the by-id record of a connection already unlinked from its user (see `lookup`). */
  forget(connectionId: string): Promise<void>;
  /**
   * One round trip: the user's connections whose session still exists, while those whose session has ended
   * are unlinked and returned as `ended`. With `visibleTo`, nothing unless the user has messaged that viewer.
   */
  lookup(userId: string, options?: { visibleTo?: string }): Promise<ConnectionLookup>;
}

/** Single-use WebSocket tickets (browsers cannot set headers on the upgrade request). */
export interface TicketStore {
  issue(grant: { userId: string; sessionId: string }, ttlSeconds: number): Promise<string>;
  /** Atomically redeems a ticket; a second redemption, or an expired ticket, gives null. */
  consume(ticket: string): Promise<{ userId: string; sessionId: string } | null>;
}

export type PushOutcome = 'delivered' | 'gone' | 'failed';

/** The API Gateway management API: push a frame to a connection, or close it. */
export interface PushGateway {
  post(connectionId: string, frame: ServerFrame): Promise<PushOutcome>;
  disconnect(connectionId: string): Promise<void>;
}
