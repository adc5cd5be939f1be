import type { Clock } from '../auth/ports.js';
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
}

/**
 * Conversation streams and per-user contact lists. Each method touches one cluster slot per round trip;
 * every failure to reach the store throws AppError('dependency_unavailable').
 */
export interface ChatStore {
  /** Atomically stores the message unless its (conversation, sender, clientMsgId) was seen. */
  append(draft: MessageDraft): Promise<AppendResult>;
  /** Updates both users' contacts and last message and the recipient's unread set; idempotent. */
  recordDelivery(message: ChatMessage): Promise<void>;
  history(conversationId: string, query: HistoryQuery): Promise<HistoryPage>;
  /** Most recent first. */
  contacts(userId: string, limit: number): Promise<Contact[]>;
  /** Clears the user's unread messages from the peer up to and including `upTo`, and remembers the mark. */
  markRead(userId: string, peerId: string, upTo: string): Promise<void>;
}

/** Everything the chat use cases need, as ports. */
export interface ChatDeps {
  chat: ChatStore;
  clock: Clock;
}
