import { createHash, randomBytes } from 'node:crypto';
import type { ResetTokenStore } from '../../domain/auth/password-reset.js';
import type { RedisClient } from './client.js';
import { userTag } from './keys.js';
import { defineScript, orUnavailable, runScript } from './scripts.js';

// Only a digest is stored, so a Redis dump or MONITOR never shows a usable token.
const digest = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** `digest → user id`: looked up by the token alone, so no hash tag. */
export const resetTokenKey = (tokenDigest: string): string => `pwreset:${tokenDigest}`;
/** The digest of the user's one live token, in the user's slot. */
export const resetPointerKey = (userId: string): string => `${userTag(userId)}:pwreset`;

/** Deletes the user's pointer if it still names this digest; 1 when it did (the token is the newest). */
const RELEASE_POINTER = defineScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`);

/**
 * 256-bit random tokens. Issue writes the token key, then swaps the user's pointer to it and deletes the token
 * the pointer named before (every token key exists before its pointer swap, so of concurrent issues only the
 * pointer's survives). Consume is GETDEL (atomic: a token works once) and counts only while the pointer still
 * names it, which closes the gap between a newer issue's swap and its delete of the older token.
 */
export function createResetTokenStore(redis: RedisClient): ResetTokenStore {
  return {
    async issue(userId, ttlSeconds) {
      const token = randomBytes(32).toString('base64url');
      const tokenDigest = digest(token);
      await orUnavailable(redis.set(resetTokenKey(tokenDigest), userId, 'EX', ttlSeconds));
      const previous = await orUnavailable(
        redis.set(resetPointerKey(userId), tokenDigest, 'EX', ttlSeconds, 'GET'),
      );
      if (previous !== null && previous !== tokenDigest)
        await orUnavailable(redis.del(resetTokenKey(previous)));
      return token;
    },
    async consume(token) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
      const tokenDigest = digest(token);
      const userId = await orUnavailable(redis.getdel(resetTokenKey(tokenDigest)));
      if (!userId) return null;
      const isNewest = await runScript(redis, RELEASE_POINTER, [resetPointerKey(userId)], [tokenDigest]);
      return isNewest === 1 ? userId : null;
    },
  };
}
