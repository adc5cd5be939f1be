import type { ChatMessage, ClientFrame, GroupMessage } from '../api/types.js';

/** A stored message of either kind: a direct one (`to`) or a group one (`groupId`). */
export type StoredMessage = ChatMessage | GroupMessage;

/**
 * Which conversation a message, a draft or an outbox lane belongs to: the peer's user id for a direct
 * conversation, `group:<groupId>` for a group. User ids are UUIDs, so the two never collide.
 */
export type ThreadKey = string;

const GROUP_PREFIX = 'group:';

export const groupKey = (groupId: string): ThreadKey => `${GROUP_PREFIX}${groupId}`;

/** The group id of a group thread; null for a direct one. */
export const groupIdOf = (key: ThreadKey): string | null =>
  key.startsWith(GROUP_PREFIX) ? key.slice(GROUP_PREFIX.length) : null;

export const isGroupMessage = (message: StoredMessage): message is GroupMessage => 'groupId' in message;

/** The thread a stored message belongs to, seen from `myId`. */
export function threadOf(message: StoredMessage, myId: string): ThreadKey {
  if (isGroupMessage(message)) return groupKey(message.groupId);
  return message.from === myId ? message.to : message.from;
}

/** `…/messages` of the thread: history (GET) and the HTTP send (POST). */
export function messagesPath(key: ThreadKey): string {
  const groupId = groupIdOf(key);
  return groupId === null
    ? `/chat/conversations/${encodeURIComponent(key)}/messages`
    : `/chat/groups/${encodeURIComponent(groupId)}/messages`;
}

/** `…/read` of the thread (the HTTP fallback of the `markRead` frame). */
export function readPath(key: ThreadKey): string {
  const groupId = groupIdOf(key);
  return groupId === null
    ? `/chat/conversations/${encodeURIComponent(key)}/read`
    : `/chat/groups/${encodeURIComponent(groupId)}/read`;
}

export function sendMessageFrame(key: ThreadKey, body: string, clientMsgId: string): ClientFrame {
  const groupId = groupIdOf(key);
  return groupId === null
    ? { action: 'sendMessage', to: key, body, clientMsgId }
    : { action: 'sendMessage', groupId, body, clientMsgId };
}

export function typingFrame(key: ThreadKey): ClientFrame {
  const groupId = groupIdOf(key);
  return groupId === null ? { action: 'typing', to: key } : { action: 'typing', groupId };
}

export function markReadFrame(key: ThreadKey, upTo: string): ClientFrame {
  const groupId = groupIdOf(key);
  return groupId === null ? { action: 'markRead', peerId: key, upTo } : { action: 'markRead', groupId, upTo };
}
