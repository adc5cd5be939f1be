import { defineScript } from './scripts.js';

/**
 * Append once per clientMsgId, atomically in the conversation's slot. KEYS: stream, idempotency key, blockers set.
 * ARGV: from, to, body, clientMsgId, idempotency TTL ms, approximate stream cap.
 * Returns {0, id} for a new message, {1, id, fields} for a duplicate ({1, id} if the cap trimmed it), and
 * {2, blockers} when either participant has blocked the conversation (nothing is stored).
 */
export const APPEND_MESSAGE = defineScript(`
local existing = redis.call('GET', KEYS[2])
if existing then
  local entry = redis.call('XRANGE', KEYS[1], existing, existing)[1]
  if entry then return {1, existing, entry[2]} end
  return {1, existing}
end
local blockers = redis.call('SMEMBERS', KEYS[3])
if #blockers > 0 then return {2, blockers} end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[6], '*',
  'from', ARGV[1], 'to', ARGV[2], 'body', ARGV[3], 'clientMsgId', ARGV[4])
redis.call('SET', KEYS[2], id, 'PX', ARGV[5])
return {0, id}
`);

/**
 * One user's side of a delivery, idempotent so a retried send converges. KEYS (one user's slot): contacts,
 * last-message hash, blocks; then for the sender the "messaged" set, for the recipient the unread set and
 * read-marks hash. ARGV: peer id, message ms, message id, message JSON, order score, unread cap, role.
 * A side that has blocked the peer is left alone (a send racing a block). ZADD GT and the id comparison mean a
 * retry or a late, older message never moves anything back; a message at or below the read mark is not
 * counted again, so a retry after markRead cannot resurrect it.
 */
export const RECORD_DELIVERY = defineScript(`
local function isNewer(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  if not bm then return true end
  if tonumber(am) ~= tonumber(bm) then return tonumber(am) > tonumber(bm) end
  return tonumber(as) > tonumber(bs)
end
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
local current = redis.call('HGET', KEYS[2], ARGV[1])
if not current or isNewer(ARGV[3], tostring(cjson.decode(current).id)) then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
end
if ARGV[7] == 'sender' then
  redis.call('SADD', KEYS[4], ARGV[1])
else
  local mark = redis.call('HGET', KEYS[5], ARGV[1])
  if not mark or tonumber(ARGV[5]) > tonumber(mark) then
    redis.call('ZADD', KEYS[4], ARGV[5], ARGV[3])
    redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -1 - tonumber(ARGV[6]))
  end
end
return 1
`);

/**
 * A user's contact list in one round trip. KEYS: contacts, last-message hash, "messaged" set. ARGV: the
 * (prefixed) unread key prefix of this user, limit. Unread keys carry the user's hash tag, so they live in
 * this slot. Returns a flat list of peer id, last message JSON, unread count, 1 if the user messaged the peer.
 */
export const LIST_CONTACTS = defineScript(`
local peers = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
local rows = {}
for _, peer in ipairs(peers) do
  local last = redis.call('HGET', KEYS[2], peer)
  if last then
    rows[#rows + 1] = peer
    rows[#rows + 1] = last
    rows[#rows + 1] = redis.call('ZCARD', ARGV[1] .. peer)
    rows[#rows + 1] = redis.call('SISMEMBER', KEYS[3], peer)
  end
end
return rows
`);

/**
 * KEYS: unread set, read-marks hash (one user's slot). ARGV: peer id, score of the newest message read.
 * Removes everything up to the score and raises (never lowers) the read mark.
 */
export const MARK_READ = defineScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local mark = redis.call('HGET', KEYS[2], ARGV[1])
if not mark or tonumber(ARGV[2]) > tonumber(mark) then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
return 1
`);

/** KEYS: contacts, "messaged" set. ARGV: limit. The most recent peers the user has sent a message to. */
export const PEERS_MESSAGED = defineScript(`
local peers = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
local found = {}
for _, peer in ipairs(peers) do
  if redis.call('SISMEMBER', KEYS[2], peer) == 1 then found[#found + 1] = peer end
end
return found
`);

/**
 * The blocker's side of a block. KEYS (blocker's slot): blocks, contacts, last-message hash, unread set for the
 * peer, "messaged" set. ARGV: peer id, now ms. The conversation leaves the contact list and stops being mutual.
 */
export const BLOCK_PEER = defineScript(`
redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[4])
redis.call('SREM', KEYS[5], ARGV[1])
return 1
`);
