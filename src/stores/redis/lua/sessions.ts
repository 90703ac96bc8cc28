/**
 * The session scripts. Keys, under the base P (KEYS[1]: the prefix and the `{sessions}` hash tag,
 * ../keys.ts, so all of them live in one cluster slot):
 * - `P session:<digest>`: hash of the session; TTL = its remaining absolute lifetime;
 * - `P session-id:<id>`: the digest of the session with that public id (same TTL);
 * - `P user-sessions:<userId>`: set of the user's session digests (lives as long as the longest);
 * - `P session-expiry`: sorted set of digests by expiresAt, for deleteExpired.
 */
import { LUA_HELPERS, luaScript } from '../script.js';

const PRELUDE = `${LUA_HELPERS}
local P = KEYS[1]
local function skey(d) return P .. 'session:' .. d end
local function ikey(id) return P .. 'session-id:' .. id end
local function ukey(u) return P .. 'user-sessions:' .. u end
local EXPIRY = P .. 'session-expiry'
-- Deletes one session and its index entries; 1 when the session itself was still there.
local function drop(d)
  local f = redis.call('HMGET', skey(d), 'id', 'userId')
  redis.call('ZREM', EXPIRY, d)
  if not f[1] then return 0 end
  redis.call('DEL', skey(d), ikey(f[1]))
  redis.call('SREM', ukey(f[2]), d)
  return 1
end
`;

/**
 * KEYS: P. ARGV: digest, id, userId, createdAt, lastSeenAt, expiresAt, ip, userAgent, data, ttl,
 * sweepBefore. Returns 'ok', or the field ('digest', 'id') that is already taken.
 */
export const CREATE = luaScript(`${PRELUDE}
local d, id, user = ARGV[1], ARGV[2], ARGV[3]
if redis.call('EXISTS', skey(d)) == 1 then return 'digest' end
if redis.call('EXISTS', ikey(id)) == 1 then return 'id' end
local ttl = ARGV[10]
redis.call('HSET', skey(d), 'id', id, 'userId', user, 'createdAt', ARGV[4], 'lastSeenAt', ARGV[5],
  'expiresAt', ARGV[6], 'ip', ARGV[7], 'userAgent', ARGV[8], 'data', ARGV[9])
redis.call('PEXPIRE', skey(d), ttl)
redis.call('SET', ikey(id), d, 'PX', ttl)
-- Sessions that ended by TTL leave their digest in the user's set; a few random members are
-- checked per login, so the set stays near the live sessions at a bounded cost per call.
for _, m in ipairs(redis.call('SRANDMEMBER', ukey(user), 3)) do
  if redis.call('EXISTS', skey(m)) == 0 then redis.call('SREM', ukey(user), m) end
end
redis.call('SADD', ukey(user), d)
extend(ukey(user), ttl)
redis.call('ZADD', EXPIRY, ARGV[6], d)
-- Likewise the expiry index: a couple of long-expired entries go with every login, so it stays
-- bounded even where flush-expired never runs.
for _, m in ipairs(redis.call('ZRANGEBYSCORE', EXPIRY, '-inf', ARGV[11], 'LIMIT', 0, 2)) do drop(m) end
return 'ok'
`);

/** KEYS: the session key. ARGV: field, value. Writes only to a session that still exists. */
export const SET_IF_EXISTS = luaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 0
`);

/** KEYS: P. ARGV: digest. Returns 1 when deleted. */
export const DELETE_BY_DIGEST = luaScript(`${PRELUDE}
return drop(ARGV[1])
`);

/** KEYS: P. ARGV: userId, id. Returns 1 when the session was the user's and is deleted. */
export const DELETE_BY_ID = luaScript(`${PRELUDE}
local d = redis.call('GET', ikey(ARGV[2]))
if not d then return 0 end
if redis.call('HGET', skey(d), 'userId') ~= ARGV[1] then return 0 end
return drop(d)
`);

/** KEYS: P. ARGV: userId. Returns digest, HGETALL reply, digest, … of the user's live sessions. */
export const LIST_FOR_USER = luaScript(`${PRELUDE}
local out = {}
for _, m in ipairs(redis.call('SMEMBERS', ukey(ARGV[1]))) do
  local h = redis.call('HGETALL', skey(m))
  if #h == 0 then
    redis.call('SREM', ukey(ARGV[1]), m)
  else
    table.insert(out, m)
    table.insert(out, h)
  end
end
return out
`);

/** KEYS: P. ARGV: userId, digest to keep ('' for none). Returns how many sessions were deleted. */
export const DELETE_FOR_USER = luaScript(`${PRELUDE}
local n = 0
for _, m in ipairs(redis.call('SMEMBERS', ukey(ARGV[1]))) do
  if m ~= ARGV[2] then
    n = n + drop(m)
    redis.call('SREM', ukey(ARGV[1]), m)
  end
end
return n
`);

/** KEYS: P. ARGV: now, limit. Returns how many expired entries were removed (at most limit). */
export const DELETE_EXPIRED = luaScript(`${PRELUDE}
local ms = redis.call('ZRANGEBYSCORE', EXPIRY, '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, m in ipairs(ms) do drop(m) end
return #ms
`);
