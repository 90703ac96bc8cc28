import { luaScript } from '../script.js';

/**
 * KEYS: the window's key (a hash of count and resetAt). ARGV: now, windowMs, now + windowMs.
 * Counts one hit in the current window, or starts a new one (TTL = the window) when there is none
 * or it has ended. Returns {count, resetAt}. One script, so concurrent hits on every instance all
 * count and a window restarts exactly once.
 */
export const HIT = luaScript(`
local w = redis.call('HMGET', KEYS[1], 'count', 'resetAt')
if w[1] and tonumber(w[2]) > tonumber(ARGV[1]) then
  return {redis.call('HINCRBY', KEYS[1], 'count', 1), w[2]}
end
redis.call('HSET', KEYS[1], 'count', 1, 'resetAt', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, ARGV[3]}
`);
