import type { Kysely, Selectable } from 'kysely';
import type { LookupWithUser, UserRecord, UserStore } from '../types.js';
import { CREDENTIAL_COLUMNS, USER_COLUMNS } from './columns.js';
import { preparedQuery } from './prepared.js';
import type { Database, UsersTable } from './schema.js';
import { guard } from './translate-errors.js';
import { toUser } from './users.js';

type UserColumn = (typeof USER_COLUMNS)[number];
/** The user's columns as the join returns them: prefixed, and null when the user is gone. */
type PrefixedUser = { [K in UserColumn as `u_${K}`]: Selectable<UsersTable>[K] | null };

/** A loose view of the schema for building the join over either credential table. */
type Loose = Kysely<Record<string, Record<string, unknown>>>;

/**
 * The credential row with `digest` and its user in one statement (a LEFT JOIN on
 * `gatehouse_users`), compiled once like the other per-request lookups.
 *
 * @example
 * const withUser = sqlLookupWithUser(db, 'gatehouse_api_tokens', users, toToken, 'apiTokens');
 * const found = await withUser.findByDigest(digest); // { record, user } | null
 */
export function sqlLookupWithUser<T extends 'gatehouse_sessions' | 'gatehouse_api_tokens', R>(
  db: Kysely<Database>,
  table: T,
  users: UserStore,
  toRecord: (row: Selectable<Database[T]>) => R,
  store: string,
): LookupWithUser<R> {
  const loose = db as unknown as Loose;
  const query = loose
    .selectFrom(`${table} as c` as 'credentials as c')
    .leftJoin('gatehouse_users as u', 'u.id', 'c.user_id')
    .select(CREDENTIAL_COLUMNS[table].map((column) => `c.${column}` as const))
    .select(USER_COLUMNS.map((column) => `u.${column} as u_${column}` as const))
    .where('c.digest', '=', '');
  const run = preparedQuery(loose, query, 1) as unknown as (
    parameters: readonly unknown[],
  ) => Promise<Array<Selectable<Database[T]> & PrefixedUser>>;

  const { findByDigest } = guard(store, {
    async findByDigest(digest: string) {
      const [row] = await run([digest]);
      if (!row) return null;
      return { record: toRecord(row), user: joinedUser(row) };
    },
  });
  return { users, findByDigest };
}

function joinedUser(row: PrefixedUser): UserRecord | null {
  if (row.u_id === null) return null;
  return toUser({
    id: row.u_id,
    username: row.u_username as string,
    email: row.u_email as string,
    password_hash: row.u_password_hash as string,
    is_active: row.u_is_active as number,
    is_admin: row.u_is_admin as number,
    date_joined: row.u_date_joined as number | string,
    last_login: row.u_last_login,
    tokens_valid_after: row.u_tokens_valid_after,
    email_verified: row.u_email_verified as number,
  });
}
