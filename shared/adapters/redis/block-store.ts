import type { BlockedPeer, BlockStore } from '../../domain/chat/ports.js';
import {
  blocksKey,
  contactsKey,
  conversationBlockersKey,
  lastMessageKey,
  messagedKey,
  unreadKey,
} from './chat-keys.js';
import { BLOCK_PEER } from './chat-lua.js';
import type { RedisClient } from './client.js';
import { orUnavailable, runScript } from './scripts.js';

/**
 * Blocks live twice: in the conversation's slot (`{c:<id>}:blockers`, read by the append script, so a refused
 * send costs no extra round trip) and in the blocker's slot (`{u:<id>}:blocks`, for listing). The conversation
 * side is written first on block and last on unblock, so sends are refused for as long as either says so.
 */
export function createBlockStore(redis: RedisClient): BlockStore {
  return {
    async block(userId, peerId, conversationId, atMs) {
      await orUnavailable(redis.sadd(conversationBlockersKey(conversationId), userId));
      await runScript(
        redis,
        BLOCK_PEER,
        [
          blocksKey(userId),
          contactsKey(userId),
          lastMessageKey(userId),
          unreadKey(userId, peerId),
          messagedKey(userId),
        ],
        [peerId, atMs],
      );
    },

    async unblock(userId, peerId, conversationId) {
      await orUnavailable(redis.zrem(blocksKey(userId), peerId));
      await orUnavailable(redis.srem(conversationBlockersKey(conversationId), userId));
    },

    async list(userId): Promise<BlockedPeer[]> {
      const flat = await orUnavailable(redis.zrevrange(blocksKey(userId), 0, 999, 'WITHSCORES'));
      const blocked: BlockedPeer[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        blocked.push({ peerId: String(flat[i]), blockedAt: new Date(Number(flat[i + 1])) });
      }
      return blocked;
    },
  };
}
