import type { Stores } from '../types.js';
import { DEFAULT_REDIS_PREFIX } from '../url.js';
import { connectRedis, type RedisClient } from './client.js';
import { redisJwtStateStore } from './jwt-state.js';
import { taggedBase } from './keys.js';
import { redisRateLimitStore } from './rate-limits.js';
import { luaScript } from './script.js';
import { redisSessionStore } from './sessions.js';

export { CLIENT_OPTIONS, connectRedis, type RedisClient } from './client.js';
export { redisJwtStateStore } from './jwt-state.js';
export { redisRateLimitStore } from './rate-limits.js';
export { redisSessionStore } from './sessions.js';
export { redisGuard, translateRedisError } from './translate-errors.js';

/** How long `health()` waits for PING before calling Redis down. */
const HEALTH_TIMEOUT_MS = 2_000;

/** A PING that a cluster client routes by its key (see {@link probe}). */
const PING = luaScript("return 'PONG'");

/**
 * Whether Redis answers for gatehouse's keys. A cluster client sends a plain PING to any node,
 * which may answer while the masters holding the sessions or the refresh state are down; so there
 * each of those masters is asked, through a script routed by its concern's hash tag.
 */
async function probe(client: RedisClient, prefix: string): Promise<void> {
  if (!('isCluster' in client && client.isCluster)) {
    await client.ping();
    return;
  }
  const bases = [taggedBase(prefix, 'sessions'), taggedBase(prefix, 'jwt')];
  await Promise.all(bases.map((base) => PING.run(client, [base], [])));
}

/** The stores Redis can hold, with the health check and close of the connection they share. */
export type RedisStores = Pick<Stores, 'sessions' | 'jwtState' | 'rateLimits' | 'health' | 'close'>;

/**
 * Sessions, refresh-token state and rate limits over one Redis connection (a server, a sentinel
 * setup's master, or a cluster), every key under `prefix`. With `replicas` > 0, a write that
 * spends or revokes waits for that many replicas (see `redisJwtStateStore`). `close()` quits the
 * connection.
 *
 * @example
 * const redis = createRedisStores(await connectRedis('redis://127.0.0.1:6379'));
 * await redis.health(); // { redis: 'ok' }
 */
export function createRedisStores(
  client: RedisClient,
  prefix: string = DEFAULT_REDIS_PREFIX,
  replicas = 0,
): RedisStores {
  return {
    sessions: redisSessionStore(client, prefix, replicas),
    jwtState: redisJwtStateStore(client, prefix, replicas),
    rateLimits: redisRateLimitStore(client, prefix),
    async health() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('health check timed out')), HEALTH_TIMEOUT_MS);
      });
      try {
        await Promise.race([probe(client, prefix), timeout]);
        return { redis: 'ok' };
      } catch {
        return { redis: 'down' };
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      // QUIT lets commands in flight finish; a connection that is down is simply dropped.
      if (client.status === 'ready') await client.quit().catch(() => undefined);
      // Also after QUIT: a sentinel client keeps its connection to a sentinel (failover
      // announcements) open past QUIT, which kept a CLI command from exiting.
      client.disconnect();
    },
  };
}

/**
 * Connects to Redis at `url` (see {@link connectRedis}) and returns its stores (see
 * {@link createRedisStores}). Throws StoreUnavailable('redis') when Redis cannot be reached.
 *
 * @example
 * const redis = await openRedisStores('redis://127.0.0.1:6379/0', 'gatehouse:staging:');
 */
export async function openRedisStores(
  url: string,
  prefix: string = DEFAULT_REDIS_PREFIX,
  replicas = 0,
): Promise<RedisStores> {
  return createRedisStores(await connectRedis(url), prefix, replicas);
}
