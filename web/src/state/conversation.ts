import { compareIds } from './message-id.js';
import type { StoredMessage, ThreadKey } from './thread.js';

type PendingState = 'queued' | 'sending' | 'failed';

/** A message the user wrote that the server has not acknowledged yet (optimistic UI). */
export interface PendingMessage {
  clientMsgId: string;
  body: string;
  createdAt: string;
  state: PendingState;
  /** When it was last handed to the socket or to `POST …/messages`. */
  attemptAt: number;
  /** Why it was refused (state `failed`), in words for the user. */
  error?: string;
}

/**
 * One conversation (direct or group) as the client knows it: stored messages oldest first, unique by server
 * id, plus the pending ones. A stored message from us with a pending clientMsgId replaces that pending entry,
 * so a message that was resent, acknowledged twice or also fetched from history is still shown once.
 */
export class Conversation {
  readonly messages: StoredMessage[] = [];
  pending: PendingMessage[] = [];
  /** Cursor for the next older page; null when the oldest message is loaded. */
  nextCursor: string | null = null;
  loaded = false;
  loading = false;
  loadError = '';
  /** Newest of our messages the peer has read (from `read` frames; direct conversations only). */
  peerReadUpTo: string | null = null;
  /** Newest message we have reported as read. */
  myReadUpTo: string | null = null;
  typingUntil = 0;
  /** Who typed last (a group has many possible typists). */
  typingFrom = '';
  private readonly ids = new Set<string>();

  constructor(
    /** The peer's user id, or `group:<id>` (./thread.ts). */
    readonly key: ThreadKey,
    private readonly myId: string,
  ) {}

  /** Adds a stored message once; false when its id is already known. */
  add(message: StoredMessage): boolean {
    if (message.from === this.myId) {
      this.pending = this.pending.filter((pending) => pending.clientMsgId !== message.clientMsgId);
    }
    if (this.ids.has(message.id)) return false;
    this.ids.add(message.id);
    let at = this.messages.length;
    while (at > 0 && compareIds(this.messages[at - 1]?.id ?? '0-0', message.id) > 0) at -= 1;
    this.messages.splice(at, 0, message);
    return true;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  newest(): StoredMessage | undefined {
    return this.messages.at(-1);
  }

  /** The newest message someone else wrote (what a read mark reports). */
  newestFromOthers(): StoredMessage | undefined {
    return this.messages.findLast((message) => message.from !== this.myId);
  }

  findPending(clientMsgId: string): PendingMessage | undefined {
    return this.pending.find((pending) => pending.clientMsgId === clientMsgId);
  }

  isTyping(now: number): boolean {
    return this.typingUntil > now;
  }

  isReadByPeer(message: StoredMessage): boolean {
    return this.peerReadUpTo !== null && compareIds(message.id, this.peerReadUpTo) <= 0;
  }
}
