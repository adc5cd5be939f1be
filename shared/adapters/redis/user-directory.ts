import { DELETED_USER_NAME } from '../../domain/chat/deleted-user.js';
import type { DirectoryEntry, UserDirectory } from '../../domain/chat/ports.js';
import type { RedisClient } from './client.js';
import { userTag } from './keys.js';
import { defineScript, orUnavailable, runScript } from './scripts.js';

/**
 * Hash in the user's slot: `name` (display name) and `at` (ms of the Postgres row's `updated_at`); for a
 * deleted account only `deleted` = 1 (a tombstone, written by the account eraser, with nothing personal).
 */
export const directoryKey = (userId: string): string => `${userTag(userId)}:profile`;

/**
 * KEYS: the entry. ARGV: display name, version ms. An older version never overwrites a newer one, and nothing
 * overwrites a tombstone (a backfill that read the row just before the account was deleted).
 */
const PUT_ENTRY = defineScript(`
if redis.call('HEXISTS', KEYS[1], 'deleted') == 1 then return 0 end
local stored = redis.call('HGET', KEYS[1], 'at')
if stored and tonumber(stored) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'name', ARGV[1], 'at', ARGV[2])
return 1
`);

/**
 * The user directory in Redis: one small hash per user, kept without expiry (it mirrors Postgres). Reads are
 * single-key HGET/HMGETs, so a batch of them is one auto-pipelined round trip, on a cluster too.
 */
export function createUserDirectory(redis: RedisClient): UserDirectory {
  const withTombstone = async (userId: string): Promise<DirectoryEntry | null> => {
    const [name, deleted] = await orUnavailable(redis.hmget(directoryKey(userId), 'name', 'deleted'));
    if (deleted) return { id: userId, displayName: DELETED_USER_NAME, deleted: true };
    return name ? { id: userId, displayName: name } : null;
  };
  // A tombstone has no name, so the hot path (every send) stays one HGET.
  const find = async (userId: string): Promise<DirectoryEntry | null> => {
    const name = await orUnavailable(redis.hget(directoryKey(userId), 'name'));
    return name === null ? null : { id: userId, displayName: name };
  };
  return {
    async put(entry) {
      await runScript(
        redis,
        PUT_ENTRY,
        [directoryKey(entry.id)],
        [entry.displayName, entry.updatedAt.getTime()],
      );
    },
    find,
    async findMany(userIds) {
      const found = await Promise.all(userIds.map(withTombstone));
      return found.filter((entry): entry is DirectoryEntry => entry !== null);
    },
  };
}
