import type { Clock } from '../clock.js';
import type { ChatMessage } from './message.js';

/** A validated message before the store has given it an id. */
export interface MessageDraft {
  conversationId: string;
  from: string;
  to: string;
  body: string;
  clientMsgId: string;
}

/** `duplicate` is true when (conversation, sender, clientMsgId) was already stored; `message` is the original. */
export interface AppendResult {
  message: ChatMessage;
  duplicate: boolean;
}

export interface HistoryQuery {
  /** Exclusive: only messages older than this id. */
  before?: string;
  limit: number;
}

/** Newest first; `hasMore` says whether older messages exist beyond the last one. */
export interface HistoryPage {
  messages: ChatMessage[];
  hasMore: boolean;
}

/** One row of a user's contact list. */
export interface Contact {
  peerId: string;
  lastMessage: ChatMessage;
  /** Messages from the peer the user has not marked read. */
  unread: number;
  /** The user has sent this peer a message (one half of a mutual conversation). */
  messaged: boolean;
}

/**
 * Conversation streams and per-user contact lists. Each method touches one cluster slot per round trip;
 * every failure to reach the store throws AppError('dependency_unavailable').
 */
export interface ChatStore {
  /**
   * Atomically stores the message unless its (conversation, sender, clientMsgId) was seen; throws
   * AppError('blocked') when either participant has blocked the conversation.
   */
  append(draft: MessageDraft): Promise<AppendResult>;
  /** Updates both users' contacts and last message and the recipient's unread set; idempotent. */
  recordDelivery(message: ChatMessage): Promise<void>;
  history(conversationId: string, query: HistoryQuery): Promise<HistoryPage>;
  /** Most recent first. */
  contacts(userId: string, limit: number): Promise<Contact[]>;
  /** Clears the user's unread messages from the peer up to and including `upTo`, and remembers the mark. */
  markRead(userId: string, peerId: string, upTo: string): Promise<void>;
  /** Whether the user has ever sent the peer a message (and has not blocked them since). */
  hasMessaged(userId: string, peerId: string): Promise<boolean>;
  /** The user's most recent contacts that the user has sent a message to. */
  peersMessagedBy(userId: string, limit: number): Promise<string[]>;
}

export interface BlockedPeer {
  peerId: string;
  blockedAt: Date;
}

/** Per-user block lists, mirrored into each conversation so the append refuses in its own slot. */
export interface BlockStore {
  /** Idempotent; the conversation leaves the blocker's contacts and stops being mutual. */
  block(userId: string, peerId: string, conversationId: string, atMs: number): Promise<void>;
  unblock(userId: string, peerId: string, conversationId: string): Promise<void>;
  /** Most recently blocked first. */
  list(userId: string): Promise<BlockedPeer[]>;
}

/** A user as the realtime path knows them: who exists, and their display name. */
export interface DirectoryEntry {
  id: string;
  displayName: string;
  /** The account was deleted: `displayName` is DELETED_USER_NAME (only `findMany` returns such entries). */
  deleted?: true;
}

/**
 * Who exists and their display names, mirrored from Postgres into Redis (each entry in its user's slot), so
 * the realtime path never queries Postgres. Written after every Postgres write of a user — registration and
 * any display-name change — and filled for older accounts by the migrator's backfill.
 */
export interface UserDirectory {
  /**
   * Records a user or their new display name. `updatedAt` is the row's own timestamp from Postgres: a write
   * older than the stored one is ignored, so a backfill racing a rename never brings back the old name.
   */
  put(entry: DirectoryEntry & { updatedAt: Date }): Promise<void>;
  /** Null when no such user exists (a deleted account included: nobody can message or block it). */
  find(userId: string): Promise<DirectoryEntry | null>;
  /**
   * The entries of those users that exist or whose account was deleted (flagged `deleted`, so peers keep
   * the conversation as "Deleted user"); users never known are left out. In the order asked.
   */
  findMany(userIds: string[]): Promise<DirectoryEntry[]>;
}

/** Everything the chat use cases need, as ports. */
export interface ChatDeps {
  chat: ChatStore;
  clock: Clock;
}
