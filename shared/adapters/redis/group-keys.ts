import { groupTag, userTag } from './keys.js';

// Every key of a group in the group's slot; each script below touches only that slot.

/** Hash: name, createdAt (ms), seq (messages so far), lastId (newest stream id), joins (join counter). */
export const groupMetaKey = (groupId: string): string => `${groupTag(groupId)}:meta`;

/** Hash: member id → `<role>|<join order>|<stream id at join>|<joined at ms>`. */
export const groupMembersKey = (groupId: string): string => `${groupTag(groupId)}:members`;

/** Hash: member id → seq of the newest message they have read (unread = meta seq − this). */
export const groupReadsKey = (groupId: string): string => `${groupTag(groupId)}:reads`;

/** The group's stream; entry ids are the message ids, each entry carries its seq. */
export const groupMessagesKey = (groupId: string): string => `${groupTag(groupId)}:messages`;

/** Remembers which message a (sender, clientMsgId) produced, in the group's slot. */
export const groupIdempotencyKey = (groupId: string, from: string, clientMsgId: string): string =>
  `${groupTag(groupId)}:idem:${from}:${clientMsgId}`;

/** Sorted set in the user's slot: group id → when the user (last) joined it (ms). */
export const userGroupsKey = (userId: string): string => `${userTag(userId)}:groups`;
