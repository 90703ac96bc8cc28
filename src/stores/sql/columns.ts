import type { ApiTokensTable, SessionsTable, UsersTable } from './schema.js';

/** `C` when it names every column of `T`; otherwise a type that says which are missing. */
type EveryColumn<T, C extends readonly PropertyKey[]> = [Exclude<keyof T, C[number]>] extends [never]
  ? C
  : { missing: Exclude<keyof T, C[number]> };

/** A table's columns, checked by the compiler to be all of them (a new column must be listed). */
const columnsOf =
  <T>() =>
  <const C extends readonly (keyof T & string)[]>(columns: C & EveryColumn<T, C>): C =>
    columns;

// The per-request lookups select these by name, never `*`: on PostgreSQL they are named prepared
// statements (prepared.ts), and a `*` statement prepared by a running instance fails once a
// rolling deploy's migration adds a column ("cached plan must not change result type").

export const USER_COLUMNS = columnsOf<UsersTable>()([
  'id',
  'username',
  'email',
  'password_hash',
  'is_active',
  'is_admin',
  'date_joined',
  'last_login',
  'tokens_valid_after',
  'email_verified',
]);

export const SESSION_COLUMNS = columnsOf<SessionsTable>()([
  'id',
  'digest',
  'user_id',
  'created_at',
  'last_seen_at',
  'expires_at',
  'ip',
  'user_agent',
  'data',
]);

export const API_TOKEN_COLUMNS = columnsOf<ApiTokensTable>()([
  'id',
  'digest',
  'user_id',
  'name',
  'prefix',
  'scopes',
  'created_at',
  'last_used_at',
  'expires_at',
]);

/** The columns of a credential table, for the lookups both share. */
export const CREDENTIAL_COLUMNS = {
  gatehouse_sessions: SESSION_COLUMNS,
  gatehouse_api_tokens: API_TOKEN_COLUMNS,
} as const;
