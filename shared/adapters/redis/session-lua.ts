import { defineScript } from './scripts.js';

/**
 * Refresh rotation, atomically (RFC 9700 §4.14). KEYS: session hash, session index.
 * ARGV: presented id, new id, now ms, grace ms, new refresh expiry ms, session id.
 * Current id → rotate. Previous id inside the grace window → report the current generation unchanged
 * (no second live token). Anything else → reuse: delete the whole session.
 */
export const ROTATE_REFRESH = defineScript(`
local s = redis.call('HMGET', KEYS[1], 'rid', 'prev', 'rotatedAt', 'riat', 'rexp', 'absExp')
if not s[1] then return {'missing'} end
local now = tonumber(ARGV[3])
if s[1] == ARGV[1] then
  local rexp = math.min(tonumber(ARGV[5]), tonumber(s[6]))
  local iat = tostring(math.floor(now / 1000))
  redis.call('HSET', KEYS[1], 'rid', ARGV[2], 'prev', ARGV[1], 'rotatedAt', ARGV[3], 'riat', iat,
    'rexp', tostring(rexp), 'lastSeenAt', ARGV[3])
  redis.call('PEXPIREAT', KEYS[1], rexp)
  return {'rotated', ARGV[2], iat, tostring(rexp)}
end
if s[2] == ARGV[1] and now - tonumber(s[3]) <= tonumber(ARGV[4]) then
  return {'grace', s[1], s[4], s[5]}
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[6])
return {'reused'}
`);

/**
 * Logout-all, and password change (which keeps the calling session). KEYS: session index. ARGV: the
 * (prefixed) session key prefix of this user, the session id to keep ('' for none). Session keys are built in
 * the script; they share the user's hash tag, so they live in the index's slot.
 */
export const REVOKE_ALL = defineScript(`
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local revoked = {}
for _, id in ipairs(ids) do
  if id ~= ARGV[2] then
    redis.call('DEL', ARGV[1] .. id)
    redis.call('ZREM', KEYS[1], id)
    revoked[#revoked + 1] = id
  end
end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) end
return revoked
`);

/**
 * Email verification reaches the user snapshot of every live session (GET /me reads it). KEYS: session index.
 * ARGV: the (prefixed) session key prefix of this user. Only existing hashes are touched: HSET on a revoked or
 * expired session would recreate it without a TTL.
 */
export const MARK_EMAIL_VERIFIED = defineScript(`
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local key = ARGV[1] .. id
  if redis.call('EXISTS', key) == 1 then redis.call('HSET', key, 'ev', '1') end
end
return 0
`);
