import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { StoreUnavailable } from '../errors.js';
import { importOptional } from '../optional-package.js';
import { parseRedisTopology, type RedisTopology } from './topology.js';

/** A connection to Redis: one server (or its sentinels' master), or a cluster. */
export type RedisClient = Redis | Cluster;

/** How long one connection attempt, and one command, may take before it counts as down. */
const CONNECT_TIMEOUT_MS = 2_000;
export const COMMAND_TIMEOUT_MS = 2_000;
/** Reconnect backoff: 100 ms, 200 ms, 400 ms … capped at 2 s, forever (service resumes by itself). */
const MAX_BACKOFF_MS = 2_000;
const backoff = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt, 10), MAX_BACKOFF_MS);
/**
 * How long start-up waits for a cluster or sentinel setup to be ready: finding the master or the
 * slot map takes a few round trips, each bounded by CONNECT_TIMEOUT_MS.
 */
const START_TIMEOUT_MS = 3 * CONNECT_TIMEOUT_MS;

/**
 * The client options, chosen to fail fast and never hang a request:
 * - no offline queue: while disconnected a command is refused at once (the request gets 503)
 *   instead of waiting for a reconnect that may take minutes;
 * - no resend of commands in flight when the connection drops: a refresh-token spend whose reply
 *   was lost must not run a second time, where it would read as a replay and revoke the family;
 * - a command timeout, so a Redis that accepts connections but stops answering is also "down";
 * - reconnects with capped backoff, so service resumes on its own when Redis is back.
 */
export const CLIENT_OPTIONS: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  connectTimeout: CONNECT_TIMEOUT_MS,
  commandTimeout: COMMAND_TIMEOUT_MS,
  retryStrategy: backoff,
};

/**
 * A master demoted to a replica (a failover its clients missed) refuses writes with READONLY (and
 * WAIT with its own error):
 * drop the connection (1: without resending the command, which failed) so the next one goes to
 * whichever server the sentinels now call master.
 */
const reconnectOnReadonly = (err: Error): 1 | false =>
  /^(READONLY|UNBLOCKED|ERR WAIT cannot be used with replica)/.test(err.message) ? 1 : false;

/**
 * A cluster's options. The cluster client refuses commands while it has no slot map (no offline
 * queue) and never re-sends a command on its own after a connection closed
 * (`retryDelayOnFailover: 0`) or the cluster answered CLUSTERDOWN (`retryDelayOnClusterDown: 0`):
 * the request gets 503 at once. It still follows MOVED and ASK (the command did not run there), so
 * a resharding or a failover its slot map has not caught up with is invisible. Each node's
 * connection takes the options above, except two that ioredis fixes for cluster nodes: it queues
 * a command while connecting (the command timeout bounds that wait; a spend that runs later than
 * its client waited is refused by its script, see jwt-state.ts), and it does not reconnect to a
 * lost node but fetches the slot map again, which names the replica that took over.
 */
function clusterOptions(t: Extract<RedisTopology, { kind: 'cluster' }>): ClusterOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    clusterRetryStrategy: backoff,
    slotsRefreshTimeout: CONNECT_TIMEOUT_MS,
    scaleReads: 'master',
    redisOptions: {
      ...CLIENT_OPTIONS,
      ...(t.username !== undefined && { username: t.username }),
      ...(t.password !== undefined && { password: t.password }),
    },
  };
}

/** A sentinel setup's options: the master's connection as above, the sentinels asked forever. */
function sentinelOptions(t: Extract<RedisTopology, { kind: 'sentinel' }>): RedisOptions {
  return {
    ...CLIENT_OPTIONS,
    sentinels: t.sentinels,
    name: t.name,
    db: t.db,
    role: 'master',
    sentinelRetryStrategy: backoff,
    sentinelCommandTimeout: CONNECT_TIMEOUT_MS,
    // Listens for the sentinels' +switch-master, so a failover is followed at once.
    failoverDetector: true,
    reconnectOnError: reconnectOnReadonly,
    ...(t.username !== undefined && { username: t.username }),
    ...(t.password !== undefined && { password: t.password }),
    ...(t.sentinelPassword !== undefined && { sentinelPassword: t.sentinelPassword }),
  };
}

/**
 * A cluster client opens its connection to each master lazily, on the first command for it; with
 * no offline queue that command would be refused. Opening them at start-up spares the first
 * requests a 503 (a master that appears later, by a failover, costs its first command one).
 */
async function connectMasters(client: RedisClient): Promise<void> {
  if (!('isCluster' in client) || !client.isCluster) return;
  const waiting = (client as Cluster).nodes('master').filter((node) => node.status === 'wait');
  await Promise.all(waiting.map((node) => node.connect()));
}

/**
 * Connects to Redis at `url` and waits until it answers, so the first request does not meet a
 * client that is still connecting: `redis://` or `rediss://` (one server), `redis+cluster://`
 * (Redis Cluster, any of its nodes) or `redis+sentinel://` (the master that the sentinels name).
 * Throws StoreUnavailable('redis') when it cannot connect, leaving nothing open.
 *
 * @example
 * const client = await connectRedis('redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster');
 */
export async function connectRedis(url: string): Promise<RedisClient> {
  const topology = parseRedisTopology(url);
  // Loaded on demand: a deployment without Redis never loads the driver.
  const { Redis: RedisCtor, Cluster: ClusterCtor } = await importOptional(
    ['ioredis'],
    'redis:// URLs need',
    () => import('ioredis'),
  );
  const client: RedisClient =
    topology.kind === 'cluster'
      ? new ClusterCtor(topology.nodes, clusterOptions(topology))
      : topology.kind === 'sentinel'
        ? new RedisCtor(sentinelOptions(topology))
        : new RedisCtor(topology.url, CLIENT_OPTIONS);
  // ioredis reports each failed (re)connection as an 'error' event; requests learn of an outage
  // from their own command failing (StoreUnavailable -> 503), so the event needs no handling here,
  // only a listener, without which ioredis prints every reconnection attempt to stderr.
  let lastError: unknown;
  client.on('error', (err: unknown) => {
    lastError = err;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    // A cluster or the sentinels may keep retrying inside connect(); start-up does not wait forever.
    await Promise.race([
      client.connect().then(() => connectMasters(client)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`not ready within ${START_TIMEOUT_MS} ms`)),
          START_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (err) {
    client.disconnect();
    // connect() rejects with "Connection is closed."; the error event before it says why.
    throw new StoreUnavailable('redis', lastError ?? err);
  } finally {
    clearTimeout(timer);
  }
  return client;
}
