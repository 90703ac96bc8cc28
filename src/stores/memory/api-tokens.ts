import { UniqueViolation } from '../errors.js';
import type { ApiTokenRecord, ApiTokenStore } from '../types.js';

const copy = (t: ApiTokenRecord): ApiTokenRecord => ({ ...t, scopes: [...t.scopes] });

/** A token is live at `now` when it never expires or expires later than `now`. */
const isLive = (t: ApiTokenRecord, now: number): boolean => t.expiresAt === null || t.expiresAt > now;

/**
 * An ApiTokenStore held in process memory, keyed by the digest of the key.
 * JavaScript runs one callback at a time, so `createWithinLimit` is atomic here by construction.
 *
 * @example
 * const tokens = memoryApiTokenStore();
 * const ok = await tokens.createWithinLimit(token, 10, now);
 */
export function memoryApiTokenStore(): ApiTokenStore {
  const byDigest = new Map<string, ApiTokenRecord>();
  const digestById = new Map<string, string>();

  const remove = (digest: string): boolean => {
    const row = byDigest.get(digest);
    if (!row) return false;
    byDigest.delete(digest);
    digestById.delete(row.id);
    return true;
  };
  const insert = (token: ApiTokenRecord): void => {
    if (byDigest.has(token.digest)) throw new UniqueViolation('digest');
    if (digestById.has(token.id)) throw new UniqueViolation('id');
    byDigest.set(token.digest, copy(token));
    digestById.set(token.id, token.digest);
  };
  const ofUser = (userId: number): ApiTokenRecord[] =>
    [...byDigest.values()].filter((t) => t.userId === userId);

  return {
    async create(token) {
      insert(token);
    },
    async createWithinLimit(token, limit, now) {
      const live = ofUser(token.userId).filter((t) => isLive(t, now)).length;
      if (live >= limit) return false;
      insert(token);
      return true;
    },
    async findByDigest(digest) {
      const row = byDigest.get(digest);
      return row ? copy(row) : null;
    },
    async findById(userId, id) {
      const digest = digestById.get(id);
      const row = digest === undefined ? undefined : byDigest.get(digest);
      return row && row.userId === userId ? copy(row) : null;
    },
    async findByPublicId(id) {
      const digest = digestById.get(id);
      const row = digest === undefined ? undefined : byDigest.get(digest);
      return row ? copy(row) : null;
    },
    async listForUser(userId) {
      return ofUser(userId)
        .sort((a, b) => b.createdAt - a.createdAt)
        .map(copy);
    },
    async touch(digest, lastUsedAt, expiresAt) {
      const row = byDigest.get(digest);
      if (!row) return;
      row.lastUsedAt = lastUsedAt;
      if (expiresAt !== undefined) row.expiresAt = expiresAt;
    },
    async deleteById(userId, id) {
      const digest = digestById.get(id);
      if (digest === undefined || byDigest.get(digest)?.userId !== userId) return false;
      return remove(digest);
    },
    async deleteForUser(userId) {
      let n = 0;
      for (const row of ofUser(userId)) if (remove(row.digest)) n++;
      return n;
    },
    async deleteExpired(now, limit) {
      let n = 0;
      for (const row of [...byDigest.values()]) {
        if (n >= limit) break;
        if (!isLive(row, now) && remove(row.digest)) n++;
      }
      return n;
    },
  };
}
