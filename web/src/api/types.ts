/** Shapes of the public contract (DESIGN.md §5) that the client reads. */

export interface User {
  id: string;
  email: string;
  displayName: string;
  createdAt: string;
}

export interface Person {
  id: string;
  displayName: string;
}

export interface Message {
  /** Server-ordered stream id, `<ms>-<seq>`. */
  id: string;
  conversationId: string;
  from: string;
  to: string;
  body: string;
  sentAt: string;
  clientMsgId: string;
}

export interface Contact {
  user: Person;
  lastMessage: Message;
  unread: number;
  online: boolean;
}

export interface MessagePage {
  /** Newest first. */
  messages: Message[];
  nextCursor: string | null;
}

export interface SessionInfo {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string;
  ip: string;
  current: boolean;
}

/** Someone the user blocked (`GET /chat/blocks`). */
export interface BlockedPerson {
  user: Person;
  blockedAt: string;
}

export interface FieldError {
  path: string;
  message: string;
}

export type ServerFrame =
  | { type: 'message'; message: Message }
  | { type: 'ack'; clientMsgId: string; message: Message; duplicate?: boolean }
  | { type: 'typing'; from: string }
  | { type: 'read'; by: string; peerId?: string; upTo: string }
  | { type: 'presence'; userId: string; online: boolean }
  | { type: 'pong' }
  | { type: 'error'; code: string; detail: string; clientMsgId?: string; retryAfter?: number };

export type ClientFrame =
  | { action: 'sendMessage'; to: string; body: string; clientMsgId: string }
  | { action: 'typing'; to: string }
  | { action: 'markRead'; peerId: string; upTo: string }
  | { action: 'ping' };
