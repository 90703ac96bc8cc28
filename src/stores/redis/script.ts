import { createHash } from 'node:crypto';
import type { RedisClient } from './client.js';

/**
 * How long a write waits for its replicas (Redis WAIT): well inside the command timeout, so the
 * request gets its 503 from us, not from a timed-out client.
 */
const REPLICA_WAIT_MS = 1_000;

/** Thrown when a write was not acknowledged by the replicas it had to reach in time. */
export class ReplicationTimeout extends Error {
  override name = 'ReplicationTimeout';
}

/** A Lua script, run atomically by Redis: nothing else runs between its reads and its writes. */
export interface LuaScript {
  /**
   * Runs the script with `keys` as KEYS and `args` as ARGV (a cluster client sends it to the node
   * owning KEYS[1]). With `replicas` > 0 the script is followed, in the same round trip and on the
   * same node, by WAIT: unless that many replicas have its writes, it throws ReplicationTimeout
   * (503), so an answer never rests on a write that a failover could still lose.
   */
  run(
    client: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
    replicas?: number,
  ): Promise<unknown>;
}

type Reply = [Error | null, unknown];

/** A cluster node's "not mine" reply: the command did not run there, so it is safe to send again. */
const isRedirect = (err: Error | null): boolean => err !== null && /^(MOVED|ASK) /.test(err.message);

/** Re-reads a cluster's slot map (a failover moved slots); resolves either way. */
function refreshSlots(client: RedisClient): Promise<void> {
  if (!('refreshSlotsCache' in client)) return Promise.resolve();
  return new Promise((done) => client.refreshSlotsCache(() => done()));
}

/**
 * Runs EVALSHA (or EVAL) then WAIT in one pipeline; throws the script's error, or when WAIT fell
 * short. A cluster client does not follow a redirect inside such a pipeline (WAIT was answered,
 * by the old node), so a script redirected after a failover is sent once more after the slot map
 * is read again; redirected twice, it is an outage (503).
 */
async function runAndWait(
  client: RedisClient,
  command: 'evalsha' | 'eval',
  script: string,
  keys: readonly string[],
  args: readonly (string | number)[],
  replicas: number,
  redirected = false,
): Promise<unknown> {
  const pipeline = client.pipeline();
  pipeline[command](script, keys.length, ...keys, ...args);
  pipeline.wait(replicas, REPLICA_WAIT_MS);
  const [ran, waited] = ((await pipeline.exec()) ?? []) as Reply[];
  if (!ran || !waited) throw new Error('Connection is closed.');
  if (!redirected && isRedirect(ran[0])) {
    await refreshSlots(client);
    return runAndWait(client, command, script, keys, args, replicas, true);
  }
  if (ran[0]) throw ran[0];
  if (waited[0]) throw waited[0];
  const acknowledged = Number(waited[1]);
  if (acknowledged < replicas) {
    throw new ReplicationTimeout(
      `a write reached ${acknowledged} of the ${replicas} replica(s) it must reach within ${REPLICA_WAIT_MS} ms`,
    );
  }
  return ran[1];
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
    async run(client, keys, args, replicas = 0) {
      try {
        if (replicas > 0) return await runAndWait(client, 'evalsha', sha, keys, args, replicas);
        return await client.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        if (replicas > 0) return runAndWait(client, 'eval', source, keys, args, replicas);
        return client.eval(source, keys.length, ...keys, ...args);
      }
    },
  };
}

/**
 * Lua helpers shared by the scripts. Every script receives its concern's hash-tagged base as
 * KEYS[1] (./keys.ts) and builds the keys of related records from it (a session's per-user set, a
 * token's family): they all share the tag, so they live in one cluster slot, on the node that
 * KEYS[1] routes the script to.
 */
export const LUA_HELPERS = `
-- Makes key live at least ttl more milliseconds (a key without a TTL gets one).
local function extend(key, ttl)
  local current = redis.call('PTTL', key)
  if current < tonumber(ttl) then redis.call('PEXPIRE', key, ttl) end
end
`;
