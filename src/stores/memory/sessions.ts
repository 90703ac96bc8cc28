import type { SessionRecord, SessionStore } from '../types.js';
import { credentialRows } from './credentials.js';

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
  const rows = credentialRows(copy);
  const { findByDigest, findByPublicId, listForUser, deleteById } = rows;

  return {
    async create(session) {
      rows.insert(session);
    },
    findByDigest,
    async touch(digest, lastSeenAt) {
      const row = rows.row(digest);
      if (row) row.lastSeenAt = lastSeenAt;
    },
    async saveData(digest, data) {
      const row = rows.row(digest);
      if (row) row.data = structuredClone(data);
    },
    async deleteByDigest(digest) {
      return rows.remove(digest);
    },
    deleteById,
    findByPublicId,
    listForUser,
    async deleteForUser(userId, exceptDigest) {
      return rows.removeWhere((s) => s.userId === userId && s.digest !== exceptDigest);
    },
    async deleteExpired(now, limit) {
      return rows.removeWhere((s) => s.expiresAt <= now, limit);
    },
  };
}
