import { UniqueViolation } from '../errors.js';
import type { NewUser, UserId, UserRecord, UserStore } from '../types.js';

/**
 * A UserStore held in process memory: for unit tests and `memory:` development servers.
 * Records are copied in and out so that a caller mutating a returned object cannot change the
 * store behind its back (a SQL store could not either, and tests must not rely on it).
 *
 * @example
 * const users = memoryUserStore();
 * const alice = await users.create({ username: 'alice', passwordHash: '', dateJoined: Date.now() });
 */
export function memoryUserStore(): UserStore {
  const byId = new Map<UserId, UserRecord>();
  const idByUsername = new Map<string, UserId>();
  let nextId = 1;

  const update = (id: UserId, patch: Partial<UserRecord>): void => {
    const row = byId.get(id);
    if (row) Object.assign(row, patch);
  };

  /** Whether a user other than `exceptId` has `email`, ignoring case. */
  const held = (email: string, exceptId?: number): boolean => {
    const wanted = email.toLowerCase();
    for (const row of byId.values())
      if (row.id !== exceptId && row.email.toLowerCase() === wanted) return true;
    return false;
  };

  return {
    async findById(id) {
      const row = byId.get(id);
      return row ? { ...row } : null;
    },
    async findByUsername(username) {
      const id = idByUsername.get(username);
      const row = id === undefined ? undefined : byId.get(id);
      return row ? { ...row } : null;
    },
    async create(user: NewUser) {
      if (idByUsername.has(user.username)) throw new UniqueViolation('username');
      // Checked and written with no await between: atomic in this process, the only one it serves.
      if (user.uniqueEmail && user.email && held(user.email)) throw new UniqueViolation('email');
      const row: UserRecord = {
        id: nextId++,
        username: user.username,
        email: user.email ?? '',
        passwordHash: user.passwordHash,
        isActive: user.isActive ?? true,
        isAdmin: user.isAdmin ?? false,
        dateJoined: user.dateJoined,
        lastLogin: null,
        tokensValidAfter: null,
        emailVerified: user.emailVerified ?? false,
      };
      byId.set(row.id, row);
      idByUsername.set(row.username, row.id);
      return { ...row };
    },
    async setPassword(id, passwordHash) {
      update(id, { passwordHash });
    },
    async setActive(id, isActive) {
      update(id, { isActive });
    },
    async setLastLogin(id, lastLogin) {
      update(id, { lastLogin });
    },
    async setTokensValidAfter(id, tokensValidAfter) {
      update(id, { tokensValidAfter });
    },
    async findByEmail(email) {
      if (email === '') return [];
      const wanted = email.toLowerCase();
      return [...byId.values()]
        .filter((row) => row.email.toLowerCase() === wanted)
        .map((row) => ({ ...row }));
    },
    async setEmail(id, email, emailVerified, unique) {
      if (unique && email !== '' && byId.has(id) && held(email, id)) throw new UniqueViolation('email');
      update(id, { email, emailVerified });
    },
    async sharedEmails(limit) {
      const ids = new Map<string, number[]>();
      for (const row of byId.values()) {
        if (row.email === '') continue;
        const key = row.email.toLowerCase();
        ids.set(key, [...(ids.get(key) ?? []), row.id]);
      }
      return [...ids]
        .filter(([, list]) => list.length > 1)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .slice(0, limit)
        .map(([email, list]) => ({ email, ids: list }));
    },
    async count() {
      return byId.size;
    },
    async list({ afterId = 0, limit }) {
      // Ids are handed out in ascending order, so the map's insertion order is id order.
      const page: UserRecord[] = [];
      for (const row of byId.values()) {
        if (page.length >= limit) break;
        if (row.id > afterId) page.push({ ...row });
      }
      return page;
    },
  };
}
