import { UniqueViolation } from '../errors.js';
import type { SessionRecord, SessionStore } from '../types.js';
import type { RedisClient } from './client.js';
import { taggedBase } from './keys.js';
import {
  CREATE,
  DELETE_BY_DIGEST,
  DELETE_BY_ID,
  DELETE_EXPIRED,
  DELETE_FOR_USER,
  LIST_FOR_USER,
  SET_IF_EXISTS,
} from './lua/sessions.js';
import { redisGuard } from './translate-errors.js';
import { KEEP_EXPIRED_MS, ttlMs } from './ttl.js';

/** A session hash as HGETALL returns it (flat field, value pairs) to a record, or null. */
function toSession(digest: string, flat: readonly string[]): SessionRecord | null {
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i] as string] = flat[i + 1] as string;
  if (h.id === undefined || h.userId === undefined) return null;
  return {
    id: h.id,
    digest,
    userId: Number(h.userId),
    createdAt: Number(h.createdAt),
    lastSeenAt: Number(h.lastSeenAt),
    expiresAt: Number(h.expiresAt),
    ip: h.ip ?? '',
    userAgent: h.userAgent ?? '',
    data: JSON.parse(h.data ?? '{}') as Record<string, unknown>,
  };
}

/**
 * The SessionStore in Redis: one hash per session, keyed by the digest of its key, that Redis
 * deletes by itself at the session's absolute expiry (TTL), plus a per-user set to list and end a
 * user's sessions and an expiry index for `deleteExpired`. Every write that touches more than one
 * key is one Lua script, so another instance never sees half of it. `findByDigest`, on every
 * cookie-authenticated request, is a single HGETALL. With `replicas` > 0, ending a session is
 * answered only once that many replicas have it, so a failover cannot bring the session back.
 *
 * @example
 * const sessions = redisSessionStore(await connectRedis('redis://127.0.0.1:6379'), 'gatehouse:');
 * const session = await sessions.findByDigest(sha256hex(cookieValue));
 */
export function redisSessionStore(client: RedisClient, prefix: string, replicas = 0): SessionStore {
  const P = taggedBase(prefix, 'sessions');
  const keys = [P];
  const key = (digest: string): string => `${P}session:${digest}`;

  return redisGuard('sessions', {
    async create(s) {
      const taken = await CREATE.run(client, keys, [
        s.digest,
        s.id,
        s.userId,
        s.createdAt,
        s.lastSeenAt,
        s.expiresAt,
        s.ip,
        s.userAgent,
        JSON.stringify(s.data),
        ttlMs(s.expiresAt, s.createdAt),
        s.createdAt - KEEP_EXPIRED_MS,
      ]);
      if (taken !== 'ok') throw new UniqueViolation(String(taken));
    },
    async findByDigest(digest) {
      const flat = await client.call('HGETALL', key(digest));
      return toSession(digest, flat as string[]);
    },
    async touch(digest, lastSeenAt) {
      await SET_IF_EXISTS.run(client, [key(digest)], ['lastSeenAt', lastSeenAt]);
    },
    async saveData(digest, data) {
      await SET_IF_EXISTS.run(client, [key(digest)], ['data', JSON.stringify(data)]);
    },
    async deleteByDigest(digest) {
      return (await DELETE_BY_DIGEST.run(client, keys, [digest], replicas)) === 1;
    },
    async deleteById(userId, id) {
      return (await DELETE_BY_ID.run(client, keys, [userId, id], replicas)) === 1;
    },
    async findByPublicId(id) {
      const digest = (await client.call('GET', `${P}session-id:${id}`)) as string | null;
      if (digest === null) return null;
      return toSession(digest, (await client.call('HGETALL', key(digest))) as string[]);
    },
    async listForUser(userId) {
      const reply = (await LIST_FOR_USER.run(client, keys, [userId])) as (string | string[])[];
      const out: SessionRecord[] = [];
      for (let i = 0; i + 1 < reply.length; i += 2) {
        const s = toSession(reply[i] as string, reply[i + 1] as string[]);
        if (s) out.push(s);
      }
      // Newest first, then by id: the order of the SQL store.
      return out.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    async deleteForUser(userId, exceptDigest) {
      return Number(await DELETE_FOR_USER.run(client, keys, [userId, exceptDigest ?? ''], replicas));
    },
    async deleteExpired(now, limit) {
      return Number(await DELETE_EXPIRED.run(client, keys, [now, limit]));
    },
  } satisfies SessionStore);
}
