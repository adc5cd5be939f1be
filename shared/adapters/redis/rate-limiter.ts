import type { RateLimiter, ThrottleDecision } from '../../domain/auth/ports.js';
import type { RedisClient } from './client.js';
import { rateLimitKey } from './keys.js';
import { defineScript, orUnavailable, runScript } from './scripts.js';

// Fixed window: INCR and the first PEXPIRE happen atomically, so N simultaneous hits admit exactly `limit`.
const HIT = defineScript(`
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
`);

/** Redis counters; a Redis failure throws dependency_unavailable, so limiting fails closed. */
export function createRateLimiter(redis: RedisClient): RateLimiter {
  return {
    async hit(bucket, limit, windowSeconds): Promise<ThrottleDecision> {
      const [count, ttlMs] = (await runScript(
        redis,
        HIT,
        [rateLimitKey(bucket)],
        [windowSeconds * 1000],
      )) as [number, number];
      if (count <= limit) return { allowed: true };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
    },
    async reset(bucket): Promise<void> {
      await orUnavailable(redis.del(rateLimitKey(bucket)));
    },
  };
}
