import { defineScript } from './scripts.js';

// Shared by the scripts below: a member value is `<role>|<join order>|<stream id at join>|<joined at ms>`.
const MEMBER = `
local function member(value)
  if not value then return nil end
  local role, order, after, at = string.match(value, '^(%a+)|(%d+)|([%d%-]+)|(%d+)$')
  return { role = role, order = tonumber(order), after = after, at = at }
end
local function state(status, extra)
  local meta = redis.call('HMGET', KEYS[1], 'name', 'createdAt')
  return { status, meta[1] or '', meta[2] or '0', redis.call('HGETALL', KEYS[2]), extra or {} }
end
`;

/**
 * KEYS: meta, members, reads. ARGV: name, created at ms, creator id, member ids…
 * The creator joins first, as admin. Returns the group state ({status, name, createdAt, members, {}}).
 */
export const CREATE_GROUP = defineScript(`${MEMBER}
if redis.call('EXISTS', KEYS[1]) == 1 then return state('exists') end
redis.call('HSET', KEYS[1], 'name', ARGV[1], 'createdAt', ARGV[2], 'seq', 0, 'lastId', '0-0', 'joins', #ARGV - 2)
for i = 3, #ARGV do
  local role = 'member'
  if i == 3 then role = 'admin' end
  redis.call('HSET', KEYS[2], ARGV[i], role .. '|' .. (i - 2) .. '|0-0|' .. ARGV[2])
  redis.call('HSET', KEYS[3], ARGV[i], 0)
end
return state('ok')
`);

/** KEYS: meta, members. ARGV: viewer id. The state, or {'not_found'} for a non-member. */
export const READ_GROUP = defineScript(`${MEMBER}
if not member(redis.call('HGET', KEYS[2], ARGV[1])) then return {'not_found'} end
return state('ok')
`);

/** KEYS: meta, members. ARGV: actor id, new name. Admins only. */
export const RENAME_GROUP = defineScript(`${MEMBER}
local actor = member(redis.call('HGET', KEYS[2], ARGV[1]))
if not actor then return {'not_found'} end
if actor.role ~= 'admin' then return {'forbidden'} end
redis.call('HSET', KEYS[1], 'name', ARGV[2])
return state('ok')
`);

/**
 * KEYS: meta, members, reads. ARGV: actor id, max members, now ms, user ids… Admins only; members already in
 * are skipped. A newcomer's history starts after the newest message so far and nothing before counts unread.
 * The state's extra part lists who was added; {'full'} when the group would pass the cap.
 */
export const ADD_MEMBERS = defineScript(`${MEMBER}
local actor = member(redis.call('HGET', KEYS[2], ARGV[1]))
if not actor then return {'not_found'} end
if actor.role ~= 'admin' then return {'forbidden'} end
local fresh = {}
for i = 4, #ARGV do
  if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 0 then fresh[#fresh + 1] = ARGV[i] end
end
if redis.call('HLEN', KEYS[2]) + #fresh > tonumber(ARGV[2]) then return {'full'} end
local meta = redis.call('HMGET', KEYS[1], 'lastId', 'seq')
for _, id in ipairs(fresh) do
  local order = redis.call('HINCRBY', KEYS[1], 'joins', 1)
  redis.call('HSET', KEYS[2], id, 'member|' .. order .. '|' .. (meta[1] or '0-0') .. '|' .. ARGV[3])
  redis.call('HSET', KEYS[3], id, meta[2] or 0)
end
return state('ok', fresh)
`);

/**
 * KEYS: meta, members, reads, stream. ARGV: actor id, member to remove. Admins remove anyone, anyone removes
 * themself. The last admin leaving promotes the longest-standing member (extra part: {promoted id}); the last
 * member leaving deletes the group (status 'deleted'; idempotency keys expire on their own).
 */
export const REMOVE_MEMBER = defineScript(`${MEMBER}
local actor = member(redis.call('HGET', KEYS[2], ARGV[1]))
if not actor then return {'not_found'} end
if ARGV[1] ~= ARGV[2] and actor.role ~= 'admin' then return {'forbidden'} end
local target = member(redis.call('HGET', KEYS[2], ARGV[2]))
if not target then return {'not_found'} end
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[2])
if redis.call('HLEN', KEYS[2]) == 0 then
  local gone = state('deleted')
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
  return gone
end
local promoted = {}
if target.role == 'admin' then
  local flat = redis.call('HGETALL', KEYS[2])
  local oldest, oldestOrder, hasAdmin = nil, nil, false
  for i = 1, #flat, 2 do
    local m = member(flat[i + 1])
    if m.role == 'admin' then hasAdmin = true end
    if not oldestOrder or m.order < oldestOrder then oldest, oldestOrder = flat[i], m.order end
  end
  if not hasAdmin then
    local m = member(redis.call('HGET', KEYS[2], oldest))
    redis.call('HSET', KEYS[2], oldest, 'admin|' .. m.order .. '|' .. m.after .. '|' .. m.at)
    promoted[1] = oldest
  end
end
return state('ok', promoted)
`);

/**
 * KEYS: meta, members, reads, stream, idempotency key. ARGV: from, body, clientMsgId, idempotency TTL ms,
 * approximate stream cap. Membership is checked here, atomically with the append. Returns
 * {'new', id, member ids}, {'duplicate', id, member ids, fields (empty if trimmed)} or {'not_found'}.
 */
export const APPEND_GROUP_MESSAGE = defineScript(`
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return {'not_found'} end
local ids = redis.call('HKEYS', KEYS[2])
local existing = redis.call('GET', KEYS[5])
if existing then
  local entry = redis.call('XRANGE', KEYS[4], existing, existing)[1]
  return {'duplicate', existing, ids, entry and entry[2] or {}}
end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local id = redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[5], '*',
  'from', ARGV[1], 'body', ARGV[2], 'clientMsgId', ARGV[3], 'seq', seq)
redis.call('SET', KEYS[5], id, 'PX', ARGV[4])
redis.call('HSET', KEYS[1], 'lastId', id)
redis.call('HSET', KEYS[3], ARGV[1], seq)
return {'new', id, ids}
`);

/**
 * KEYS: members, stream. ARGV: viewer id, end of range ('+' or '(<id>'), count. Only entries after the
 * viewer's latest join. Returns {'ok', entries} or {'not_found'}.
 */
export const GROUP_HISTORY = defineScript(`
local value = redis.call('HGET', KEYS[1], ARGV[1])
if not value then return {'not_found'} end
local after = string.match(value, '^%a+|%d+|([%d%-]+)|')
return {'ok', redis.call('XREVRANGE', KEYS[2], ARGV[2], '(' .. after, 'COUNT', ARGV[3])}
`);

/**
 * KEYS: members, stream, reads. ARGV: member id, message id. Raises the member's read mark to the seq of the
 * newest entry at or before the id (the entry itself may have been trimmed). {'ok'} or {'not_found'}.
 */
export const MARK_GROUP_READ = defineScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return {'not_found'} end
local entry = redis.call('XREVRANGE', KEYS[2], ARGV[2], '-', 'COUNT', 1)[1]
if not entry then return {'ok'} end
local seq
for i = 1, #entry[2], 2 do
  if entry[2][i] == 'seq' then seq = tonumber(entry[2][i + 1]) end
end
local mark = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
if seq and seq > mark then redis.call('HSET', KEYS[3], ARGV[1], seq) end
return {'ok'}
`);

/**
 * KEYS: meta, members, reads, stream. ARGV: member id. The contact-list row of one group:
 * {name, seq, read seq, member value, newest entry or {}} or {} for a non-member.
 */
export const GROUP_SUMMARY = defineScript(`
local value = redis.call('HGET', KEYS[2], ARGV[1])
if not value then return {} end
local meta = redis.call('HMGET', KEYS[1], 'name', 'seq')
local newest = redis.call('XREVRANGE', KEYS[4], '+', '-', 'COUNT', 1)[1] or {}
return {meta[1] or '', meta[2] or '0', redis.call('HGET', KEYS[3], ARGV[1]) or '0', value, newest}
`);
