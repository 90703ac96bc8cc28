import { createHash } from 'node:crypto';
import { type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import { UniqueViolation } from '../errors.js';
import type { UserRecord, UserStore } from '../types.js';
import { fromFlag, num, numOrNull, toFlag } from './codec.js';
import { USER_COLUMNS } from './columns.js';
import { type SqlDialect, serialisedPer } from './dialect.js';
import { preparedQuery } from './prepared.js';
import type { Database, UsersTable } from './schema.js';
import { canBeId, canBeText } from './storable.js';
import { guard } from './translate-errors.js';

const T = 'gatehouse_users';
/** The columns an insert names (the id is generated). */
const INSERTED = USER_COLUMNS.filter((c) => c !== 'id');

/** The users that have `email`, ignoring case (lower() on both sides, as the index is built). */
const holders = (q: Kysely<Database>, email: string) =>
  q.selectFrom(T).select('id').where(sql`lower(email)`, '=', email.toLowerCase());

/** A 32-bit lock id for an address (ignoring case), for PostgreSQL's advisory lock. */
const emailLockId = (email: string): number =>
  createHash('sha256').update(email.toLowerCase()).digest().readInt32BE(0);
/** Addresses need not be unique, but a reset mail goes to a bounded number of accounts. */
const MAX_SAME_EMAIL = 20;

export function toUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    passwordHash: row.password_hash,
    isActive: fromFlag(row.is_active),
    isAdmin: fromFlag(row.is_admin),
    dateJoined: num(row.date_joined),
    lastLogin: numOrNull(row.last_login),
    tokensValidAfter: numOrNull(row.tokens_valid_after),
    emailVerified: fromFlag(row.email_verified),
  };
}

/**
 * The UserStore over `gatehouse_users` (SQLite or PostgreSQL). `findById` runs on every
 * authenticated request, so it is compiled once here.
 *
 * @example
 * const users = sqlUserStore(db);
 * const user = await users.findById(1);
 */
export function sqlUserStore(db: Kysely<Database>, dialect: SqlDialect): UserStore {
  /** Runs one statement about `email` so that statements about the same address go one at a time. */
  const perEmail = <R>(email: string, fn: (q: Kysely<Database>) => Promise<R>): Promise<R> =>
    serialisedPer(db, dialect, T, emailLockId(email), fn);
  const byId = preparedQuery(db, db.selectFrom(T).select(USER_COLUMNS).where('id', '=', 0), 1);
  const set = async (id: number, values: Updateable<UsersTable>): Promise<void> => {
    if (!canBeId(id)) return;
    await db.updateTable(T).set(values).where('id', '=', id).execute();
  };

  return guard('users', {
    async findById(id) {
      if (!canBeId(id)) return null;
      const [row] = await byId([id]);
      return row ? toUser(row) : null;
    },
    async findByUsername(username) {
      if (!canBeText(username)) return null;
      const row = await db.selectFrom(T).selectAll().where('username', '=', username).executeTakeFirst();
      return row ? toUser(row) : null;
    },
    async create(user) {
      const email = user.email ?? '';
      const values = {
        username: user.username,
        email,
        password_hash: user.passwordHash,
        is_active: toFlag(user.isActive ?? true),
        is_admin: toFlag(user.isAdmin ?? false),
        date_joined: user.dateJoined,
        last_login: null,
        tokens_valid_after: null,
        email_verified: toFlag(user.emailVerified ?? false),
      };
      if (!user.uniqueEmail || email === '') {
        return toUser(await db.insertInto(T).values(values).returningAll().executeTakeFirstOrThrow());
      }
      // One INSERT … SELECT … WHERE NOT EXISTS, serialised per address on PostgreSQL: of two
      // sign-ups racing with one address, one is refused (values cast so PostgreSQL knows their
      // types in a SELECT list).
      const row = await perEmail(email, (q) =>
        q
          .insertInto(T)
          .columns(INSERTED)
          .expression(
            q
              .selectNoFrom((eb) => [
                eb.cast<string>(eb.val(values.username), 'text').as('username'),
                eb.cast<string>(eb.val(email), 'text').as('email'),
                eb.cast<string>(eb.val(values.password_hash), 'text').as('password_hash'),
                eb.cast<number>(eb.val(values.is_active), 'integer').as('is_active'),
                eb.cast<number>(eb.val(values.is_admin), 'integer').as('is_admin'),
                eb.cast<number>(eb.val(values.date_joined), 'bigint').as('date_joined'),
                eb.cast<number | null>(eb.val(null), 'bigint').as('last_login'),
                eb.cast<number | null>(eb.val(null), 'bigint').as('tokens_valid_after'),
                eb.cast<number>(eb.val(values.email_verified), 'integer').as('email_verified'),
              ])
              .where(({ not, exists }) => not(exists(holders(q, email)))),
          )
          .returningAll()
          .executeTakeFirst(),
      );
      if (!row) throw new UniqueViolation('email');
      return toUser(row);
    },
    async setPassword(id, passwordHash) {
      await set(id, { password_hash: passwordHash });
    },
    async setActive(id, active) {
      await set(id, { is_active: toFlag(active) });
    },
    async setLastLogin(id, at) {
      await set(id, { last_login: at });
    },
    async setTokensValidAfter(id, at) {
      await set(id, { tokens_valid_after: at });
    },
    async findByEmail(email) {
      if (!canBeText(email) || email === '') return [];
      // lower() on both sides, as the index is built (0003): SQLite and PostgreSQL agree on it.
      const rows = await db
        .selectFrom(T)
        .selectAll()
        .where(sql`lower(email)`, '=', email.toLowerCase())
        .orderBy('id')
        .limit(MAX_SAME_EMAIL)
        .execute();
      return rows.map(toUser);
    },
    async setEmail(id, email, verified, unique) {
      if (!unique || email === '') return set(id, { email, email_verified: toFlag(verified) });
      if (!canBeId(id)) return;
      const r = await perEmail(email, (q) =>
        q
          .updateTable(T)
          .set({ email, email_verified: toFlag(verified) })
          .where('id', '=', id)
          .where(({ not, exists }) => not(exists(holders(q, email).where('id', '<>', id))))
          .executeTakeFirst(),
      );
      if (Number(r.numUpdatedRows) === 0 && (await byId([id])).length > 0) throw new UniqueViolation('email');
    },
    async sharedEmails(limit) {
      const shared = await db
        .selectFrom(T)
        .select(sql<string>`lower(email)`.as('email'))
        .where('email', '<>', '')
        .groupBy(sql`lower(email)`)
        .having((eb) => eb.fn.countAll(), '>', 1)
        .orderBy(sql`lower(email)`)
        .limit(limit)
        .execute();
      if (!shared.length) return [];
      const rows = await db
        .selectFrom(T)
        .select(['id', sql<string>`lower(email)`.as('email')])
        .where(
          sql`lower(email)`,
          'in',
          shared.map((s) => s.email),
        )
        .orderBy('id')
        .execute();
      return shared.map(({ email }) => ({
        email,
        ids: rows.filter((r) => r.email === email).map((r) => r.id),
      }));
    },
    async count() {
      const { n } = await db
        .selectFrom(T)
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return num(n);
    },
    async list({ afterId, limit }) {
      let q = db.selectFrom(T).selectAll();
      if (afterId !== undefined) q = q.where('id', '>', afterId);
      const rows = await q.orderBy('id').limit(limit).execute();
      return rows.map(toUser);
    },
  } satisfies UserStore);
}
