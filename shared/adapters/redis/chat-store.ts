import type { ChatMessage } from '../../domain/chat/message.js';
import { messageIdScore, parseMessageId, sentAtOf } from '../../domain/chat/message-id.js';
import type {
  AppendResult,
  ChatStore,
  Contact,
  HistoryPage,
  HistoryQuery,
  MessageDraft,
} from '../../domain/chat/ports.js';
import { AppError } from '../../domain/errors.js';
import {
  blocksKey,
  contactsKey,
  conversationBlockersKey,
  idempotencyKey,
  lastMessageKey,
  messagedKey,
  messagesKey,
  readMarksKey,
  unreadKey,
  unreadKeyPrefix,
} from './chat-keys.js';
import { APPEND_MESSAGE, LIST_CONTACTS, MARK_READ, PEERS_MESSAGED, RECORD_DELIVERY } from './chat-lua.js';
import type { RedisClient } from './client.js';
import { orUnavailable, runScript } from './scripts.js';

export interface ChatStoreLimits {
  /** Approximate cap per conversation stream (XADD MAXLEN ~): older messages are trimmed. */
  streamMaxLength: number;
  /** How long a clientMsgId is remembered; a retry after this creates a second message. */
  idempotencyTtlMs: number;
  /** At most this many unread ids are kept per (user, peer); the count saturates there. */
  unreadCap: number;
}

const DEFAULT_CHAT_LIMITS: ChatStoreLimits = {
  streamMaxLength: 10_000,
  idempotencyTtlMs: 24 * 3600 * 1000,
  unreadCap: 10_000,
};

const MESSAGE_FIELDS = ['id', 'conversationId', 'from', 'to', 'body', 'sentAt', 'clientMsgId'] as const;

function isChatMessage(value: unknown): value is ChatMessage {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return MESSAGE_FIELDS.every((field) => typeof record[field] === 'string');
}

function parseStoredMessage(json: string): ChatMessage | null {
  try {
    const value: unknown = JSON.parse(json);
    return isChatMessage(value) ? value : null;
  } catch {
    return null;
  }
}

/** A stream entry (`[id, [field, value, …]]`) as a message of the given conversation. */
function fromEntry(conversationId: string, id: string, flat: string[]): ChatMessage {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(String(flat[i]), String(flat[i + 1]));
  return {
    id,
    conversationId,
    from: fields.get('from') ?? '',
    to: fields.get('to') ?? '',
    body: fields.get('body') ?? '',
    sentAt: sentAtOf(id),
    clientMsgId: fields.get('clientMsgId') ?? '',
  };
}

/**
 * Chat in Redis: a stream per conversation (`{c:<id>}:messages`, ids assigned by XADD) with idempotency keys
 * beside it, and per user a recency-sorted contact set, last messages, unread sets and read marks under
 * `{u:<id>}`. Every script stays inside one hash tag, so the store runs unchanged on a Redis Cluster.
 */
export function createChatStore(
  redis: RedisClient,
  keyPrefix: string,
  limits: ChatStoreLimits = DEFAULT_CHAT_LIMITS,
): ChatStore {
  return {
    async append(draft: MessageDraft): Promise<AppendResult> {
      const reply = (await runScript(
        redis,
        APPEND_MESSAGE,
        [
          messagesKey(draft.conversationId),
          idempotencyKey(draft.conversationId, draft.from, draft.clientMsgId),
          conversationBlockersKey(draft.conversationId),
        ],
        [
          draft.from,
          draft.to,
          draft.body,
          draft.clientMsgId,
          limits.idempotencyTtlMs,
          limits.streamMaxLength,
        ],
      )) as [number, string | string[], string[] | undefined];
      const [outcome, idOrBlockers, stored] = reply;
      if (outcome === 2) {
        const blockedBySender = (idOrBlockers as string[]).includes(draft.from);
        throw new AppError(
          'blocked',
          blockedBySender
            ? 'You have blocked this user; unblock them to send'
            : 'This user does not accept your messages',
        );
      }
      const id = String(idOrBlockers);
      const duplicate = outcome;
      // A duplicate whose entry the stream cap already trimmed is answered from the retried request.
      const message = stored
        ? fromEntry(draft.conversationId, id, stored)
        : { id, ...draft, sentAt: sentAtOf(id) };
      return { message, duplicate: duplicate === 1 };
    },

    async recordDelivery(message: ChatMessage): Promise<void> {
      const ms = parseMessageId(message.id)?.ms ?? 0;
      const json = JSON.stringify(message);
      // Two users are two hash slots: two single-slot scripts, sent concurrently (one round trip of latency).
      await Promise.all([
        runScript(
          redis,
          RECORD_DELIVERY,
          [
            contactsKey(message.from),
            lastMessageKey(message.from),
            blocksKey(message.from),
            messagedKey(message.from),
          ],
          [message.to, ms, message.id, json, '0', limits.unreadCap, 'sender'],
        ),
        runScript(
          redis,
          RECORD_DELIVERY,
          [
            contactsKey(message.to),
            lastMessageKey(message.to),
            blocksKey(message.to),
            unreadKey(message.to, message.from),
            readMarksKey(message.to),
          ],
          [
            message.from,
            ms,
            message.id,
            json,
            String(messageIdScore(message.id)),
            limits.unreadCap,
            'recipient',
          ],
        ),
      ]);
    },

    async history(conversationId: string, query: HistoryQuery): Promise<HistoryPage> {
      const end = query.before === undefined ? '+' : `(${query.before}`;
      const entries = await orUnavailable(
        redis.xrevrange(messagesKey(conversationId), end, '-', 'COUNT', query.limit + 1),
      );
      const page = entries.slice(0, query.limit);
      return {
        messages: page.map(([id, fields]) => fromEntry(conversationId, id, fields)),
        hasMore: entries.length > query.limit,
      };
    },

    async contacts(userId: string, limit: number): Promise<Contact[]> {
      const rows = (await runScript(
        redis,
        LIST_CONTACTS,
        [contactsKey(userId), lastMessageKey(userId), messagedKey(userId)],
        [`${keyPrefix}${unreadKeyPrefix(userId)}`, limit],
      )) as (string | number)[];
      const contacts: Contact[] = [];
      for (let i = 0; i + 3 < rows.length; i += 4) {
        const lastMessage = parseStoredMessage(String(rows[i + 1]));
        if (!lastMessage) continue;
        contacts.push({
          peerId: String(rows[i]),
          lastMessage,
          unread: Number(rows[i + 2]),
          messaged: Number(rows[i + 3]) === 1,
        });
      }
      return contacts;
    },

    async markRead(userId: string, peerId: string, upTo: string): Promise<void> {
      await runScript(
        redis,
        MARK_READ,
        [unreadKey(userId, peerId), readMarksKey(userId)],
        [peerId, String(messageIdScore(upTo))],
      );
    },

    async hasMessaged(userId: string, peerId: string): Promise<boolean> {
      return (await orUnavailable(redis.sismember(messagedKey(userId), peerId))) === 1;
    },

    async peersMessagedBy(userId: string, limit: number): Promise<string[]> {
      const peers = await runScript(
        redis,
        PEERS_MESSAGED,
        [contactsKey(userId), messagedKey(userId)],
        [limit],
      );
      return (peers as string[]).map(String);
    },
  };
}
