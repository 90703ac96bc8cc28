import { UniqueViolation } from '../errors.js';
import type { UserId } from '../types.js';

/** What a session and an API token have in common: a public id, the key's digest, an owner. */
interface Credential {
  id: string;
  digest: string;
  userId: UserId;
  createdAt: number;
}

/** The rows of one credential kind, indexed by digest and by public id. */
export interface CredentialRows<R extends Credential> {
  /** Adds a row; a taken digest or id is a UniqueViolation, as in the SQL stores. */
  insert(row: R): void;
  /** The stored row itself (to update in place), not a copy. */
  row(digest: string): R | undefined;
  /** The user's stored rows (not copies), synchronously. */
  ofUser(userId: UserId): R[];
  /** Removes a row; false when there was none. */
  remove(digest: string): boolean;
  /** Removes up to `limit` rows that `match`; returns how many. */
  removeWhere(match: (row: R) => boolean, limit?: number): number;
  findByDigest(digest: string): Promise<R | null>;
  findByPublicId(id: string): Promise<R | null>;
  /** Newest first. */
  listForUser(userId: UserId): Promise<R[]>;
  /** False when the id is not one of the user's. */
  deleteById(userId: UserId, id: string): Promise<boolean>;
}

/**
 * The in-memory table behind the session and API-token stores, which look credentials up the
 * same ways; `copy` keeps callers from mutating what is stored.
 *
 * @example
 * const rows = credentialRows((s: SessionRecord) => ({ ...s, data: structuredClone(s.data) }));
 * rows.insert(session);
 */
export function credentialRows<R extends Credential>(copy: (row: R) => R): CredentialRows<R> {
  const byDigest = new Map<string, R>();
  const digestById = new Map<string, string>();

  const byPublicId = (id: string): R | undefined => {
    const digest = digestById.get(id);
    return digest === undefined ? undefined : byDigest.get(digest);
  };
  const ofUser = (userId: UserId): R[] => [...byDigest.values()].filter((r) => r.userId === userId);
  const remove = (digest: string): boolean => {
    const row = byDigest.get(digest);
    if (!row) return false;
    byDigest.delete(digest);
    digestById.delete(row.id);
    return true;
  };

  return {
    insert(row) {
      if (byDigest.has(row.digest)) throw new UniqueViolation('digest');
      if (digestById.has(row.id)) throw new UniqueViolation('id');
      byDigest.set(row.digest, copy(row));
      digestById.set(row.id, row.digest);
    },
    row: (digest) => byDigest.get(digest),
    ofUser,
    remove,
    removeWhere(match, limit = Number.POSITIVE_INFINITY) {
      let n = 0;
      for (const row of [...byDigest.values()]) {
        if (n >= limit) break;
        if (match(row) && remove(row.digest)) n++;
      }
      return n;
    },
    async findByDigest(digest) {
      const row = byDigest.get(digest);
      return row ? copy(row) : null;
    },
    async findByPublicId(id) {
      const row = byPublicId(id);
      return row ? copy(row) : null;
    },
    async listForUser(userId) {
      return ofUser(userId)
        .sort((a, b) => b.createdAt - a.createdAt)
        .map(copy);
    },
    async deleteById(userId, id) {
      const row = byPublicId(id);
      return row !== undefined && row.userId === userId && remove(row.digest);
    },
  };
}
