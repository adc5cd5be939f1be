import { defineScript } from './scripts.js';

// A user-side entry is `<sessionId>|<expiresAtMs>|<connectedAtMs>`. Session keys share the user's hash tag,
// so both scripts check "is this connection's session still alive?" inside the same slot and round trip.

/**
 * The user's connections whose session still exists. KEYS: the user's connection hash, the user's
 * "messaged" set. ARGV: now ms, the (prefixed) session key prefix of this user, a viewer id or ''.
 * With a viewer, nothing is returned unless the user has messaged the viewer (presence is mutual).
 * Expired entries are dropped; entries whose session has ended are dropped and returned as `ended`.
 * Returns {live, ended}, each a flat list of connection id, entry.
 */
export const LOOKUP_CONNECTIONS = defineScript(`
if ARGV[3] ~= '' and redis.call('SISMEMBER', KEYS[2], ARGV[3]) == 0 then return {{}, {}} end
local flat = redis.call('HGETALL', KEYS[1])
local now = tonumber(ARGV[1])
local live, ended, drop = {}, {}, {}
for i = 1, #flat, 2 do
  local id, entry = flat[i], flat[i + 1]
  local sid, exp = string.match(entry, '^([^|]*)|(%d+)')
  if not exp or tonumber(exp) <= now then
    drop[#drop + 1] = id
  elseif redis.call('EXISTS', ARGV[2] .. sid) == 0 then
    drop[#drop + 1] = id
    ended[#ended + 1] = id
    ended[#ended + 1] = entry
  else
    live[#live + 1] = id
    live[#live + 1] = entry
  end
end
if #drop > 0 then redis.call('HDEL', KEYS[1], unpack(drop)) end
return {live, ended}
`);

/**
 * Adds a connection unless the user already has `cap` live ones (atomic, so parallel handshakes cannot
 * overshoot). KEYS: the user's connection hash. ARGV: connection id, entry, entry expiry ms, now ms, cap,
 * the (prefixed) session key prefix. Returns {1, live count after} or {0, live count}.
 */
export const ADD_CONNECTION = defineScript(`
local flat = redis.call('HGETALL', KEYS[1])
local now = tonumber(ARGV[4])
local live, drop = 0, {}
for i = 1, #flat, 2 do
  local sid, exp = string.match(flat[i + 1], '^([^|]*)|(%d+)')
  if exp and tonumber(exp) > now and redis.call('EXISTS', ARGV[6] .. sid) == 1 then
    live = live + 1
  else
    drop[#drop + 1] = flat[i]
  end
end
if #drop > 0 then redis.call('HDEL', KEYS[1], unpack(drop)) end
if live >= tonumber(ARGV[5]) then return {0, live} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[3], 'GT')
redis.call('PEXPIREAT', KEYS[1], ARGV[3], 'NX')
return {1, live + 1}
`);
