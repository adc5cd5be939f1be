import type { GroupMessage, GroupRole } from '../../contract/wire.js';
import { compareMessageIds, parseMessageId, sentAtOf } from '../../domain/chat/message-id.js';
import type { HistoryQuery } from '../../domain/chat/ports.js';
import { AppError } from '../../domain/errors.js';
import { noSuchGroup, tooManyMembers } from '../../domain/groups/group-rules.js';
import type { GroupMemberRecord, GroupRecord, GroupStore, GroupSummary } from '../../domain/groups/ports.js';
import { blocksKey } from './chat-keys.js';
import type { RedisClient } from './client.js';
import {
  groupIdempotencyKey,
  groupMembersKey,
  groupMessagesKey,
  groupMetaKey,
  groupReadsKey,
  userGroupsKey,
} from './group-keys.js';
import {
  ADD_MEMBERS,
  APPEND_GROUP_MESSAGE,
  CREATE_GROUP,
  GROUP_HISTORY,
  GROUP_SUMMARY,
  MARK_GROUP_READ,
  READ_GROUP,
  REMOVE_MEMBER,
  RENAME_GROUP,
} from './group-lua.js';
import { orUnavailable, runScript } from './scripts.js';

export interface GroupStoreLimits {
  /** Approximate cap per group stream (XADD MAXLEN ~). */
  streamMaxLength: number;
  /** How long a clientMsgId is remembered. */
  idempotencyTtlMs: number;
}

const DEFAULT_GROUP_LIMITS: GroupStoreLimits = {
  streamMaxLength: 10_000,
  idempotencyTtlMs: 24 * 3600 * 1000,
};

type Flat = (string | number)[];
type StateReply = [string, string?, string?, string[]?, string[]?];

const fieldsOf = (flat: Flat): Map<string, string> => {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(String(flat[i]), String(flat[i + 1]));
  return fields;
};

function messageOf(groupId: string, id: string, flat: Flat): GroupMessage {
  const fields = fieldsOf(flat);
  return {
    id,
    groupId,
    from: fields.get('from') ?? '',
    body: fields.get('body') ?? '',
    sentAt: sentAtOf(id),
    clientMsgId: fields.get('clientMsgId') ?? '',
  };
}

/** `<role>|<join order>|<stream id at join>|<joined at ms>` */
function memberOf(userId: string, value: string): GroupMemberRecord & { after: string; atMs: number } {
  const [role, order, after, at] = value.split('|');
  return {
    userId,
    role: (role === 'admin' ? 'admin' : 'member') satisfies GroupRole,
    joinOrder: Number(order),
    after: after ?? '0-0',
    atMs: Number(at),
  };
}

function throwFor(status: string): never {
  if (status === 'forbidden') throw new AppError('forbidden', 'Only the group admins may do that');
  if (status === 'full') throw tooManyMembers();
  throw noSuchGroup();
}

function recordOf(groupId: string, reply: StateReply): GroupRecord {
  const [status, name, createdAt, flat] = reply;
  if (status !== 'ok' && status !== 'deleted') throwFor(status);
  const members: GroupMemberRecord[] = [];
  const fields = fieldsOf(flat ?? []);
  for (const [userId, value] of fields) {
    const { role, joinOrder } = memberOf(userId, value);
    members.push({ userId, role, joinOrder });
  }
  members.sort((a, b) => a.joinOrder - b.joinOrder);
  return { id: groupId, name: name ?? '', createdAtMs: Number(createdAt), members };
}

/**
 * Groups in Redis (keys in group-keys.ts): every script runs in the group's slot; the per-user index of
 * groups is written after it, one user slot per command, all sent at once.
 */
export function createGroupStore(
  redis: RedisClient,
  limits: GroupStoreLimits = DEFAULT_GROUP_LIMITS,
): GroupStore {
  const state = async (
    script: Parameters<typeof runScript>[1],
    groupId: string,
    keys: string[],
    args: Flat,
  ) => recordOf(groupId, (await runScript(redis, script, keys, args)) as StateReply);
  const index = (userIds: string[], groupId: string, atMs: number) =>
    Promise.all(userIds.map((userId) => orUnavailable(redis.zadd(userGroupsKey(userId), atMs, groupId))));

  return {
    async create({ groupId, name, creatorId, memberIds, atMs }) {
      const keys = [groupMetaKey(groupId), groupMembersKey(groupId), groupReadsKey(groupId)];
      const group = await state(CREATE_GROUP, groupId, keys, [name, atMs, creatorId, ...memberIds]);
      await index([creatorId, ...memberIds], groupId, atMs);
      return group;
    },

    async find(groupId, viewerId) {
      const reply = (await runScript(
        redis,
        READ_GROUP,
        [groupMetaKey(groupId), groupMembersKey(groupId)],
        [viewerId],
      )) as StateReply;
      return reply[0] === 'ok' ? recordOf(groupId, reply) : null;
    },

    async rename(groupId, actorId, name) {
      return state(RENAME_GROUP, groupId, [groupMetaKey(groupId), groupMembersKey(groupId)], [actorId, name]);
    },

    async addMembers({ groupId, actorId, userIds, maxMembers, atMs }) {
      const reply = (await runScript(
        redis,
        ADD_MEMBERS,
        [groupMetaKey(groupId), groupMembersKey(groupId), groupReadsKey(groupId)],
        [actorId, maxMembers, atMs, ...userIds],
      )) as StateReply;
      const group = recordOf(groupId, reply);
      const added = (reply[4] ?? []).map(String);
      await index(added, groupId, atMs);
      return { group, added };
    },

    async removeMember(groupId, actorId, userId) {
      const reply = (await runScript(
        redis,
        REMOVE_MEMBER,
        [groupMetaKey(groupId), groupMembersKey(groupId), groupReadsKey(groupId), groupMessagesKey(groupId)],
        [actorId, userId],
      )) as StateReply;
      const group = recordOf(groupId, reply);
      await orUnavailable(redis.zrem(userGroupsKey(userId), groupId));
      return { group, deleted: reply[0] === 'deleted' };
    },

    async memberIds(groupId) {
      return (await orUnavailable(redis.hkeys(groupMembersKey(groupId)))).map(String);
    },

    async append(draft) {
      const reply = (await runScript(
        redis,
        APPEND_GROUP_MESSAGE,
        [
          groupMetaKey(draft.groupId),
          groupMembersKey(draft.groupId),
          groupReadsKey(draft.groupId),
          groupMessagesKey(draft.groupId),
          groupIdempotencyKey(draft.groupId, draft.from, draft.clientMsgId),
        ],
        [draft.from, draft.body, draft.clientMsgId, limits.idempotencyTtlMs, limits.streamMaxLength],
      )) as [string, string?, string[]?, Flat?];
      const [status, id, memberIds, stored] = reply;
      if (status === 'not_found' || id === undefined) throw noSuchGroup();
      const duplicate = status === 'duplicate';
      // A duplicate whose entry the stream cap already trimmed is answered from the retried request.
      const message =
        duplicate && stored && stored.length > 0
          ? messageOf(draft.groupId, id, stored)
          : {
              id,
              groupId: draft.groupId,
              from: draft.from,
              body: draft.body,
              sentAt: sentAtOf(id),
              clientMsgId: draft.clientMsgId,
            };
      return { message, duplicate, memberIds: (memberIds ?? []).map(String) };
    },

    async history(groupId, viewerId, query: HistoryQuery) {
      const end = query.before === undefined ? '+' : `(${query.before}`;
      const reply = (await runScript(
        redis,
        GROUP_HISTORY,
        [groupMembersKey(groupId), groupMessagesKey(groupId)],
        [viewerId, end, query.limit + 1],
      )) as [string, [string, Flat][]?];
      if (reply[0] !== 'ok') throw noSuchGroup();
      const entries = reply[1] ?? [];
      return {
        messages: entries.slice(0, query.limit).map(([id, fields]) => messageOf(groupId, String(id), fields)),
        hasMore: entries.length > query.limit,
      };
    },

    async markRead(groupId, userId, upTo) {
      const reply = (await runScript(
        redis,
        MARK_GROUP_READ,
        [groupMembersKey(groupId), groupMessagesKey(groupId), groupReadsKey(groupId)],
        [userId, upTo],
      )) as [string];
      if (reply[0] !== 'ok') throw noSuchGroup();
    },

    async groupsOf(userId, limit) {
      const groupIds = (await orUnavailable(redis.zrevrange(userGroupsKey(userId), 0, limit - 1))).map(
        String,
      );
      const rows = await Promise.all(
        groupIds.map(
          (groupId) =>
            runScript(
              redis,
              GROUP_SUMMARY,
              [
                groupMetaKey(groupId),
                groupMembersKey(groupId),
                groupReadsKey(groupId),
                groupMessagesKey(groupId),
              ],
              [userId],
            ) as Promise<[string, string, string, string, [string, Flat] | []] | []>,
        ),
      );
      return rows.flatMap((row, index): GroupSummary[] => {
        const groupId = groupIds[index];
        if (row.length === 0 || groupId === undefined) return [];
        const [name, seq, readSeq, value, newest] = row;
        const joined = memberOf(userId, value);
        const [lastId, fields] = newest;
        const visible =
          lastId !== undefined && fields !== undefined && compareMessageIds(lastId, joined.after) > 0;
        const lastMessage = visible ? messageOf(groupId, lastId, fields) : null;
        return [
          {
            id: groupId,
            name,
            lastMessage,
            unread: Math.max(0, Number(seq) - Number(readSeq)),
            lastActivityMs: lastMessage ? (parseMessageId(lastMessage.id)?.ms ?? joined.atMs) : joined.atMs,
          },
        ];
      });
    },

    async whoBlocked(peerId, userIds) {
      const scores = await Promise.all(
        userIds.map((userId) => orUnavailable(redis.zscore(blocksKey(userId), peerId))),
      );
      return userIds.filter((_, index) => scores[index] !== null);
    },
  };
}
