import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script, run atomically by Redis: nothing else runs between its reads and its writes. */
export interface LuaScript {
  /** Runs the script with `keys` as KEYS and `args` as ARGV. */
  run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

/**
 * Prepares a Lua script once: it runs by its SHA-1 (EVALSHA, so the text is not re-sent per
 * request), and by its text when Redis does not know it (NOSCRIPT: Redis restarted or its script
 * cache was flushed), which also loads it again.
 *
 * @example
 * const hit = luaScript('return redis.call("INCR", KEYS[1])');
 * const count = await hit.run(client, ['gatehouse:rate:k'], []);
 */
export function luaScript(source: string): LuaScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return {
    async run(client, keys, args) {
      try {
        return await client.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return client.eval(source, keys.length, ...keys, ...args);
      }
    },
  };
}

/**
 * Lua helpers shared by the scripts. Every script receives the key prefix as ARGV[1] and builds
 * the keys of related records from it (a session's per-user set, a token's family), which is why
 * the stores support a single Redis server or a primary with replicas, not Redis Cluster.
 */
export const LUA_HELPERS = `
-- Makes key live at least ttl more milliseconds (a key without a TTL gets one).
local function extend(key, ttl)
  local current = redis.call('PTTL', key)
  if current < tonumber(ttl) then redis.call('PEXPIRE', key, ttl) end
end
`;
