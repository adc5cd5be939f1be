import type { ServerFrame } from './server-frames.js';

/** Who is behind a WebSocket connection; stored at `$connect`, the only source of identity for its frames. */
export interface ConnectionRecord {
  connectionId: string;
  userId: string;
  sessionId: string;
  /** When `$connect` stored it; absent on records read by connection id. */
  connectedAtMs?: number;
}

/** Connection ids in Redis: by id (single key) and per user (hash-tagged), both expiring past API Gateway's 2 h. */
export interface ConnectionStore {
  add(record: ConnectionRecord, ttlSeconds: number): Promise<{ firstForUser: boolean }>;
  find(connectionId: string): Promise<ConnectionRecord | null>;
  remove(record: ConnectionRecord): Promise<{ lastForUser: boolean }>;
  listForUser(userId: string): Promise<ConnectionRecord[]>;
  /** The subset of `userIds` with at least one live connection. */
  onlineAmong(userIds: string[]): Promise<Set<string>>;
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
