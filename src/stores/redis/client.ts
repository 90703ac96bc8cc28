import type { Redis, RedisOptions } from 'ioredis';
import { StoreUnavailable } from '../errors.js';
import { importOptional } from '../optional-package.js';

/** How long one connection attempt, and one command, may take before it counts as down. */
const CONNECT_TIMEOUT_MS = 2_000;
export const COMMAND_TIMEOUT_MS = 2_000;
/** Reconnect backoff: 100 ms, 200 ms, 400 ms … capped at 2 s, forever (service resumes by itself). */
const MAX_BACKOFF_MS = 2_000;

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
  retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 10), MAX_BACKOFF_MS),
};

/**
 * Connects to Redis at `url` (redis:// or rediss://) and waits until it answers, so the first
 * request does not meet a client that is still connecting. Throws StoreUnavailable('redis') when
 * it cannot connect, leaving nothing open.
 *
 * @example
 * const client = await connectRedis('redis://127.0.0.1:6379/0');
 */
export async function connectRedis(url: string): Promise<Redis> {
  // Loaded on demand: a deployment without Redis never loads the driver.
  const { Redis: RedisClient } = await importOptional(
    ['ioredis'],
    'redis:// URLs need',
    () => import('ioredis'),
  );
  const client = new RedisClient(url, CLIENT_OPTIONS);
  // ioredis reports each failed (re)connection as an 'error' event; requests learn of an outage
  // from their own command failing (StoreUnavailable -> 503), so the event needs no handling here,
  // only a listener, without which ioredis prints every reconnection attempt to stderr.
  let lastError: unknown;
  client.on('error', (err: unknown) => {
    lastError = err;
  });
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    // connect() rejects with "Connection is closed."; the error event before it says why.
    throw new StoreUnavailable('redis', lastError ?? err);
  }
  return client;
}
