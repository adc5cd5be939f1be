import { conversationTag, userTag } from './keys.js';

// Each script below touches exactly one cluster slot (the tagging rule is in keys.ts).

/** The conversation's stream; entry ids are the message ids. */
export const messagesKey = (conversationId: string): string => `${conversationTag(conversationId)}:messages`;

/** Remembers which message a (sender, clientMsgId) produced, in the conversation's slot. */
export const idempotencyKey = (conversationId: string, from: string, clientMsgId: string): string =>
  `${conversationTag(conversationId)}:idem:${from}:${clientMsgId}`;

/** Sorted set: member peer id, score the ms of the newest message exchanged with that peer. */
export const contactsKey = (userId: string): string => `${userTag(userId)}:contacts`;

/** Hash: peer id → JSON of the newest message exchanged with that peer. */
export const lastMessageKey = (userId: string): string => `${userTag(userId)}:last`;

/** Sorted set of the peer's message ids the user has not read, scored by `messageIdScore`. */
export const unreadKey = (userId: string, peerId: string): string => `${unreadKeyPrefix(userId)}${peerId}`;

/** The part of an unread key before the peer id; the contacts script appends peer ids to it. */
export const unreadKeyPrefix = (userId: string): string => `${userTag(userId)}:unread:`;

/** Hash: peer id → score of the newest message from that peer the user has marked read. */
export const readMarksKey = (userId: string): string => `${userTag(userId)}:read`;

/** Set of peers the user has sent at least one message to; presence and typing need it on both sides. */
export const messagedKey = (userId: string): string => `${userTag(userId)}:messaged`;

/** Sorted set: blocked peer id → when it was blocked (ms). */
export const blocksKey = (userId: string): string => `${userTag(userId)}:blocks`;

/** Set of the participants who have blocked the conversation; the append script refuses while non-empty. */
export const conversationBlockersKey = (conversationId: string): string =>
  `${conversationTag(conversationId)}:blockers`;
