import type { AccountEraser } from '../../domain/auth/ports.js';
import { conversationIdFor } from '../../domain/chat/conversation.js';
import {
  blocksKey,
  contactsKey,
  conversationBlockersKey,
  lastMessageKey,
  messagedKey,
  messagesKey,
  readMarksKey,
  unreadKeyPrefix,
} from './chat-keys.js';
import type { RedisClient } from './client.js';
import {
  groupMembersKey,
  groupMessagesKey,
  groupMetaKey,
  groupReadsKey,
  userGroupsKey,
} from './group-keys.js';
import { REMOVE_MEMBER } from './group-lua.js';
import { sessionIndexKey, sessionKeyPrefix } from './keys.js';
import { userConnectionsKey } from './realtime-keys.js';
import { defineScript, orUnavailable, runScript } from './scripts.js';
import { directoryKey } from './user-directory.js';

/**
 * Everything of one user in their slot, at once. KEYS: contacts, last-message hash, read marks, messaged set,
 * blocks, connections hash, session index, directory entry. ARGV: the (prefixed) unread key prefix and
 * session key prefix (keys built here share the user's hash tag, so they live in this slot).
 * Returns the peers the user ever had state about, then '', then the peers the user blocked.
 */
const ERASE_USER = defineScript(`
local seen, peers = {}, {}
local function note(list)
  for _, id in ipairs(list) do
    if not seen[id] then seen[id] = true; peers[#peers + 1] = id end
  end
end
note(redis.call('ZRANGE', KEYS[1], 0, -1))
note(redis.call('HKEYS', KEYS[2]))
note(redis.call('HKEYS', KEYS[3]))
note(redis.call('SMEMBERS', KEYS[4]))
local blocked = redis.call('ZRANGE', KEYS[5], 0, -1)
note(blocked)
for _, id in ipairs(peers) do redis.call('DEL', ARGV[1] .. id) end
for _, id in ipairs(redis.call('ZRANGE', KEYS[7], 0, -1)) do redis.call('DEL', ARGV[2] .. id) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8])
redis.call('HSET', KEYS[8], 'deleted', '1')
peers[#peers + 1] = ''
for _, id in ipairs(blocked) do peers[#peers + 1] = id end
return peers
`);

/**
 * Leaves every group the user is in, as if they had left themselves (one script per group slot, all sent at
 * once): no ghost members; an admin's leaving promotes the longest-standing member, a last member's deletes
 * the group. Their messages stay in the history the others keep, like direct messages do.
 */
async function leaveAllGroups(redis: RedisClient, userId: string): Promise<void> {
  const groupIds = (await orUnavailable(redis.zrange(userGroupsKey(userId), '0', '-1'))).map(String);
  await Promise.all(
    groupIds.map((groupId) =>
      runScript(
        redis,
        REMOVE_MEMBER,
        [groupMetaKey(groupId), groupMembersKey(groupId), groupReadsKey(groupId), groupMessagesKey(groupId)],
        [userId, userId],
      ),
    ),
  );
  await orUnavailable(redis.del(userGroupsKey(userId)));
}

/**
 * Erases a deleted account's Redis state: first leaves their groups, then one script in the user's slot, then,
 * one conversation slot at a time: withdraws the user's blocks (a blocker who no longer exists), and drops the streams whose other
 * participant is deleted too, since nobody is left to read them.
 */
export function createAccountEraser(redis: RedisClient, keyPrefix: string): AccountEraser {
  return {
    async erase(userId) {
      await leaveAllGroups(redis, userId);
      const reply = (await runScript(
        redis,
        ERASE_USER,
        [
          contactsKey(userId),
          lastMessageKey(userId),
          readMarksKey(userId),
          messagedKey(userId),
          blocksKey(userId),
          userConnectionsKey(userId),
          sessionIndexKey(userId),
          directoryKey(userId),
        ],
        [`${keyPrefix}${unreadKeyPrefix(userId)}`, `${keyPrefix}${sessionKeyPrefix(userId)}`],
      )) as string[];
      const split = reply.indexOf('');
      const peers = reply.slice(0, split);
      const blocked = reply.slice(split + 1);
      await Promise.all(
        blocked.map((peerId) =>
          orUnavailable(redis.srem(conversationBlockersKey(conversationIdFor(userId, peerId)), userId)),
        ),
      );
      const peerDeleted = await Promise.all(
        peers.map((peerId) => orUnavailable(redis.hexists(directoryKey(peerId), 'deleted'))),
      );
      const orphaned = peers.filter((_, index) => peerDeleted[index] === 1);
      await Promise.all(
        orphaned.map(async (peerId) => {
          const conversationId = conversationIdFor(userId, peerId);
          await orUnavailable(redis.del(messagesKey(conversationId)));
          await orUnavailable(redis.del(conversationBlockersKey(conversationId)));
        }),
      );
    },
  };
}
