import { UniqueViolation } from '../errors.js';
import type { SessionRecord, SessionStore } from '../types.js';

const copy = (s: SessionRecord): SessionRecord => ({ ...s, data: structuredClone(s.data) });

/**
 * A SessionStore held in process memory, keyed by the digest of the session key.
 * A session counts as expired once `expiresAt <= now` (the same rule every backend applies).
 *
 * @example
 * const sessions = memorySessionStore();
 * await sessions.create({ id, digest, userId: 1, createdAt: now, lastSeenAt: now, expiresAt, ip, userAgent, data: {} });
 */
export function memorySessionStore(): SessionStore {
  const byDigest = new Map<string, SessionRecord>();
  const digestById = new Map<string, string>();

  const remove = (digest: string): boolean => {
    const row = byDigest.get(digest);
    if (!row) return false;
    byDigest.delete(digest);
    digestById.delete(row.id);
    return true;
  };

  return {
    async create(session) {
      if (byDigest.has(session.digest)) throw new UniqueViolation('digest');
      if (digestById.has(session.id)) throw new UniqueViolation('id');
      byDigest.set(session.digest, copy(session));
      digestById.set(session.id, session.digest);
    },
    async findByDigest(digest) {
      const row = byDigest.get(digest);
      return row ? copy(row) : null;
    },
    async touch(digest, lastSeenAt) {
      const row = byDigest.get(digest);
      if (row) row.lastSeenAt = lastSeenAt;
    },
    async saveData(digest, data) {
      const row = byDigest.get(digest);
      if (row) row.data = structuredClone(data);
    },
    async deleteByDigest(digest) {
      return remove(digest);
    },
    async deleteById(userId, id) {
      const digest = digestById.get(id);
      if (digest === undefined || byDigest.get(digest)?.userId !== userId) return false;
      return remove(digest);
    },
    async findByPublicId(id) {
      const digest = digestById.get(id);
      const row = digest === undefined ? undefined : byDigest.get(digest);
      return row ? copy(row) : null;
    },
    async listForUser(userId) {
      return [...byDigest.values()]
        .filter((s) => s.userId === userId)
        .sort((a, b) => b.createdAt - a.createdAt)
        .map(copy);
    },
    async deleteForUser(userId, exceptDigest) {
      let n = 0;
      for (const row of [...byDigest.values()]) {
        if (row.userId === userId && row.digest !== exceptDigest && remove(row.digest)) n++;
      }
      return n;
    },
    async deleteExpired(now, limit) {
      let n = 0;
      for (const row of [...byDigest.values()]) {
        if (n >= limit) break;
        if (row.expiresAt <= now && remove(row.digest)) n++;
      }
      return n;
    },
  };
}
