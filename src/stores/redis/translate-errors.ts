import { StoreUnavailable, UniqueViolation } from '../errors.js';
import { wrapErrors } from '../wrap-errors.js';

/**
 * Error replies that mean Redis cannot serve now, not that the command is wrong: still loading
 * its data, busy in a script, a replica without its primary, out of memory, failing to persist,
 * refusing our credentials, or a server that became a replica under us (a failover: it refuses
 * writes and WAIT, and unblocks a waiting command), or a cluster node that no longer serves the
 * slot (a redirect the client could not follow: the command did not run).
 */
const UNAVAILABLE_REPLIES =
  /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|MOVED|ASK|OOM|MISCONF|NOAUTH|WRONGPASS|NOPERM|UNBLOCKED|ERR WAIT cannot be used with replica)\b/;
/** What ioredis throws without a reply: the connection is closed, not yet open, or too slow. */
const UNAVAILABLE_MESSAGES =
  /Connection is closed|Stream isn't writeable|enableOfflineQueue|Command timed out|max retries per request|connect ETIMEDOUT|ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|Socket closed unexpectedly|Socket timeout|Ready check failed|Command aborted due to connection close|Cluster isn't ready|Too many Cluster redirections|Cluster is ended|All sentinels are unreachable|Failed to refresh slots cache/i;

/**
 * Maps what an ioredis call threw to the store error catalogue: an outage becomes
 * `StoreUnavailable(store)` (503, request refused); an error reply caused by the command itself
 * (a bug in a script, a key of the wrong type) is rethrown unchanged, so it is not disguised as an
 * outage.
 */
export function translateRedisError(store: string, err: unknown): unknown {
  if (err instanceof StoreUnavailable || err instanceof UniqueViolation) return err;
  if (!(err instanceof Error)) return err;
  if (err.name === 'ReplyError')
    return UNAVAILABLE_REPLIES.test(err.message) ? new StoreUnavailable(store, err) : err;
  // ReplicationTimeout: the replicas did not confirm a write in time (script.ts); AbortError: the
  // connection closed under a command after the one before it in its pipeline was answered (a
  // script ran, its WAIT was cut off: not confirmed); ClusterAllFailedError: no node of a cluster
  // answered when the client refreshed its slot map.
  if (
    err.name === 'MaxRetriesPerRequestError' ||
    err.name === 'ReplicationTimeout' ||
    err.name === 'AbortError' ||
    err.name === 'ClusterAllFailedError' ||
    UNAVAILABLE_MESSAGES.test(err.message)
  ) {
    return new StoreUnavailable(store, err);
  }
  return err;
}

/**
 * Wraps every method of a store so its errors pass through {@link translateRedisError}.
 *
 * @example
 * return redisGuard('sessions', { async findByDigest(digest) { … }, … });
 */
export function redisGuard<T extends object>(store: string, impl: T): T {
  return wrapErrors(impl, (err) => translateRedisError(store, err));
}
