import { leastRecentlyUsed } from '../least-recent.js';
import type { ApiTokenRecord, ApiTokenStore } from '../types.js';
import { credentialRows } from './credentials.js';

const copy = (t: ApiTokenRecord): ApiTokenRecord => ({ ...t, scopes: [...t.scopes] });

/** A token is live at `now` when it never expires or expires later than `now`. */
const isLive = (t: ApiTokenRecord, now: number): boolean => t.expiresAt === null || t.expiresAt > now;

/**
 * An ApiTokenStore held in process memory, keyed by the digest of the key.
 * JavaScript runs one callback at a time, so the limited creations are atomic here by construction.
 *
 * @example
 * const tokens = memoryApiTokenStore();
 * const ok = await tokens.createWithinLimit(token, 10, now);
 */
export function memoryApiTokenStore(): ApiTokenStore {
  const rows = credentialRows(copy);
  const { findByDigest, findByPublicId, listForUser, deleteById } = rows;

  return {
    async create(token) {
      rows.insert(token);
    },
    async createWithinLimit(token, limit, now) {
      // Count and insert with no await between them: no other creation can run in between.
      const live = rows.ofUser(token.userId).filter((t) => isLive(t, now)).length;
      if (live >= limit) return false;
      rows.insert(token);
      return true;
    },
    async createRetiringLeastRecent(token, limit, now) {
      // Pick, delete and insert with no await between them: atomic like createWithinLimit.
      const live = rows.ofUser(token.userId).filter((t) => isLive(t, now));
      const retired = leastRecentlyUsed(live, live.length - limit + 1);
      for (const t of retired) rows.remove(t.digest);
      rows.insert(token);
      return retired.map(copy);
    },
    findByDigest,
    async findById(userId, id) {
      const row = await findByPublicId(id);
      return row && row.userId === userId ? row : null;
    },
    findByPublicId,
    listForUser,
    async touch(digest, lastUsedAt, expiresAt) {
      const row = rows.row(digest);
      if (!row) return;
      row.lastUsedAt = lastUsedAt;
      if (expiresAt !== undefined) row.expiresAt = expiresAt;
    },
    deleteById,
    async deleteForUser(userId) {
      return rows.removeWhere((t) => t.userId === userId);
    },
    async deleteExpired(now, limit) {
      return rows.removeWhere((t) => !isLive(t, now), limit);
    },
  };
}
