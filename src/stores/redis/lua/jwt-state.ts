/**
 * The refresh-token state scripts. Keys, under the base P (KEYS[1]: the prefix and the `{jwt}` hash
 * tag, ../keys.ts, so all of them live in one cluster slot):
 * - `P refresh:<jti>`: hash of an outstanding token (userId, familyId, issuedAt, expiresAt,
 *   spentAt once spent, successor: the jti ROTATE recorded in its place); TTL = its remaining
 *   lifetime;
 * - `P family:<familyId>`: hash of a family: `live` (its outstanding tokens here), `maxExp` (the
 *   latest expiry among them) and `revokedAt` once revoked; lives as long as its longest token;
 * - `P user-families:<userId>`: set of the user's families, for logout-all;
 * - `P blacklist:<jti>`: expiresAt of a blacklisted token; TTL until then;
 * - `P refresh-expiry`, `P blacklist-expiry`: sorted sets by expiresAt, for deleteExpired;
 * - `P orphaned-families`: revoked families left without outstanding tokens (deleteExpired's
 *   third kind of row, as in the SQL store).
 */
import { LUA_HELPERS, luaScript } from '../script.js';

const PRELUDE = `${LUA_HELPERS}
local P = KEYS[1]
local function rkey(j) return P .. 'refresh:' .. j end
local function fkey(f) return P .. 'family:' .. f end
local function bkey(j) return P .. 'blacklist:' .. j end
local function ukey(u) return P .. 'user-families:' .. u end
local REXP = P .. 'refresh-expiry'
local BEXP = P .. 'blacklist-expiry'
local ORPHANS = P .. 'orphaned-families'
-- Deletes an outstanding token. Its family goes with its last token, unless revoked: then it
-- stays, as an orphan for deleteExpired to remove and count.
local function dropToken(j)
  local f = redis.call('HGET', rkey(j), 'familyId')
  redis.call('DEL', rkey(j))
  redis.call('ZREM', REXP, j)
  if f and redis.call('EXISTS', fkey(f)) == 1 then
    if redis.call('HINCRBY', fkey(f), 'live', -1) <= 0 then
      if redis.call('HEXISTS', fkey(f), 'revokedAt') == 1 then
        redis.call('SADD', ORPHANS, f)
      else
        redis.call('DEL', fkey(f))
      end
    end
  end
end
local function dropBlacklisted(j)
  redis.call('DEL', bkey(j))
  redis.call('ZREM', BEXP, j)
end
-- Records outstanding token j of user u in family f (issuedAt, expiresAt, ttl in ms).
local function record(j, u, f, iat, exp, ttl)
  redis.call('HSET', rkey(j), 'userId', u, 'familyId', f, 'issuedAt', iat, 'expiresAt', exp)
  redis.call('PEXPIRE', rkey(j), ttl)
  redis.call('ZADD', REXP, exp, j)
  redis.call('HINCRBY', fkey(f), 'live', 1)
  local maxExp = redis.call('HGET', fkey(f), 'maxExp')
  if not maxExp or tonumber(exp) > tonumber(maxExp) then redis.call('HSET', fkey(f), 'maxExp', exp) end
  extend(fkey(f), ttl)
  redis.call('SREM', ORPHANS, f)
  redis.call('SADD', ukey(u), f)
  extend(ukey(u), ttl)
end
-- Whether this script runs more than maxLag ms (Redis's clock) after \`sent\`, the Redis time the
-- client read just before sending it: a Redis that stalled (or a network that held the command)
-- past the client's command timeout. The client has answered 503 by then, so a spend must not
-- happen behind its back: its retry would read as a replay.
local function late(sent, maxLag)
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(sent) > tonumber(maxLag)
end
`;

/**
 * KEYS: P. ARGV: jti, userId, familyId, issuedAt, expiresAt, ttl, sweepBefore.
 * Returns 'ok', or 'jti' when that jti is already recorded.
 */
export const RECORD = luaScript(`${PRELUDE}
local j, u, f = ARGV[1], ARGV[2], ARGV[3]
if redis.call('EXISTS', rkey(j)) == 1 then return 'jti' end
record(j, u, f, ARGV[4], ARGV[5], ARGV[6])
-- Bounded cleanup per call, so the indexes stay small where flush-expired never runs.
for _, m in ipairs(redis.call('ZRANGEBYSCORE', REXP, '-inf', ARGV[7], 'LIMIT', 0, 2)) do dropToken(m) end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', BEXP, '-inf', ARGV[7], 'LIMIT', 0, 2)) do dropBlacklisted(m) end
for _, m in ipairs(redis.call('SRANDMEMBER', ORPHANS, 2)) do
  if redis.call('EXISTS', fkey(m)) == 0 then redis.call('SREM', ORPHANS, m) end
end
return 'ok'
`);

/**
 * KEYS: P. ARGV: jti, now, sent, maxLag. The whole decision is one script, so of concurrent spends on any
 * number of instances exactly one finds the token unspent. Returns {'spent'|'reused', userId,
 * familyId, issuedAt, expiresAt}, {'revoked'} or {'unknown'}, checked in the SQL store's order;
 * {'late'}, changing nothing, when it ran after its client stopped waiting (see `late`).
 */
export const SPEND = luaScript(`${PRELUDE}
local j = ARGV[1]
if late(ARGV[3], ARGV[4]) then return {'late'} end
if redis.call('EXISTS', bkey(j)) == 1 then return {'revoked'} end
local t = redis.call('HMGET', rkey(j), 'userId', 'familyId', 'issuedAt', 'expiresAt', 'spentAt')
if not t[1] then return {'unknown'} end
if redis.call('HEXISTS', fkey(t[2]), 'revokedAt') == 1 then return {'revoked'} end
if t[5] then return {'reused', t[1], t[2], t[3], t[4]} end
redis.call('HSET', rkey(j), 'spentAt', ARGV[2])
return {'spent', t[1], t[2], t[3], t[4]}
`);

/**
 * KEYS: P. ARGV: jti, now, sent, maxLag, successor jti, its issuedAt, its expiresAt, its ttl, graceMs.
 * SPEND that also records the successor, or finds the token spent less than graceMs ago with its
 * successor unspent and not blacklisted (the family's revocation is checked first). Returns
 * SPEND's replies, {'replayed', userId, familyId, issuedAt, expiresAt, successor jti, its
 * issuedAt, its expiresAt}, or {'jti'} when the successor's jti is taken.
 */
export const ROTATE = luaScript(`${PRELUDE}
local j = ARGV[1]
if late(ARGV[3], ARGV[4]) then return {'late'} end
if redis.call('EXISTS', bkey(j)) == 1 then return {'revoked'} end
local t = redis.call('HMGET', rkey(j), 'userId', 'familyId', 'issuedAt', 'expiresAt', 'spentAt', 'successor')
if not t[1] then return {'unknown'} end
if redis.call('HEXISTS', fkey(t[2]), 'revokedAt') == 1 then return {'revoked'} end
if not t[5] then
  local n = ARGV[5]
  if redis.call('EXISTS', rkey(n)) == 1 then return {'jti'} end
  redis.call('HSET', rkey(j), 'spentAt', ARGV[2], 'successor', n)
  record(n, t[1], t[2], ARGV[6], ARGV[7], ARGV[8])
  return {'spent', t[1], t[2], t[3], t[4]}
end
local grace = tonumber(ARGV[9])
if t[6] and grace > 0 and tonumber(ARGV[2]) - tonumber(t[5]) < grace and redis.call('EXISTS', bkey(t[6])) == 0 then
  local s = redis.call('HMGET', rkey(t[6]), 'issuedAt', 'expiresAt', 'spentAt')
  if s[1] and not s[3] then return {'replayed', t[1], t[2], t[3], t[4], t[6], s[1], s[2]} end
end
return {'reused', t[1], t[2], t[3], t[4]}
`);

/**
 * KEYS: P. ARGV: jti. SPEND's checks without its write, in one script so the answer is one moment's:
 * 'outstanding', 'spent', 'revoked' or 'unknown'.
 */
export const REFRESH_STATE = luaScript(`${PRELUDE}
local j = ARGV[1]
if redis.call('EXISTS', bkey(j)) == 1 then return 'revoked' end
local t = redis.call('HMGET', rkey(j), 'familyId', 'spentAt')
if not t[1] then return 'unknown' end
if redis.call('HEXISTS', fkey(t[1]), 'revokedAt') == 1 then return 'revoked' end
if t[2] then return 'spent' end
return 'outstanding'
`);

/** KEYS: P. ARGV: jti, expiresAt, ttl. Idempotent: the first blacklisting stands. */
export const BLACKLIST = luaScript(`${PRELUDE}
if redis.call('SET', bkey(ARGV[1]), ARGV[2], 'PX', ARGV[3], 'NX') then
  redis.call('ZADD', BEXP, ARGV[2], ARGV[1])
end
return 0
`);

/** KEYS: P. ARGV: familyId, now, ttl for a family with no tokens here. Idempotent. */
export const REVOKE_FAMILY = luaScript(`${PRELUDE}
local f = ARGV[1]
if redis.call('HSETNX', fkey(f), 'revokedAt', ARGV[2]) == 1 then
  if tonumber(redis.call('HGET', fkey(f), 'live') or '0') <= 0 then
    extend(fkey(f), ARGV[3])
    redis.call('SADD', ORPHANS, f)
  end
end
return 0
`);

/** KEYS: P. ARGV: userId, now. Revokes each family with a token still valid at now; returns how many. */
export const REVOKE_ALL_FOR_USER = luaScript(`${PRELUDE}
local n = 0
local u = ukey(ARGV[1])
for _, f in ipairs(redis.call('SMEMBERS', u)) do
  local h = redis.call('HMGET', fkey(f), 'maxExp', 'revokedAt')
  if not h[1] then
    redis.call('SREM', u, f)
  elseif tonumber(h[1]) > tonumber(ARGV[2]) and not h[2] then
    redis.call('HSET', fkey(f), 'revokedAt', ARGV[2])
    n = n + 1
  end
end
return n
`);

/**
 * KEYS: P. ARGV: now, limit. Deletes expired outstanding tokens, then expired blacklist entries, then
 * orphaned revoked families, sharing one budget of `limit`, so a return below `limit` means
 * nothing is left at `now`.
 */
export const DELETE_EXPIRED = luaScript(`${PRELUDE}
local limit = tonumber(ARGV[2])
local n = 0
for _, j in ipairs(redis.call('ZRANGEBYSCORE', REXP, '-inf', ARGV[1], 'LIMIT', 0, limit)) do
  dropToken(j)
  n = n + 1
end
if n >= limit then return n end
for _, j in ipairs(redis.call('ZRANGEBYSCORE', BEXP, '-inf', ARGV[1], 'LIMIT', 0, limit - n)) do
  dropBlacklisted(j)
  n = n + 1
end
if n >= limit then return n end
for _, f in ipairs(redis.call('SPOP', ORPHANS, limit - n)) do
  if tonumber(redis.call('HGET', fkey(f), 'live') or '0') <= 0 then redis.call('DEL', fkey(f)) end
  n = n + 1
end
return n
`);
