import { type ColumnDefinitionBuilder, type Kysely, sql } from 'kysely';

/**
 * The SQL dialects gatehouse speaks. Every query is written once over Kysely; this file is the one
 * place where the two differ, so a third dialect means reading one file.
 */
export type SqlDialect = 'sqlite' | 'postgres';

/** The column type and modifiers of an auto-assigned primary key. */
export interface IdentityColumn {
  type: 'integer' | 'bigint';
  build: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

/**
 * An auto-assigned integer primary key that is never reused. On SQLite that takes AUTOINCREMENT:
 * a plain rowid may hand a deleted user's id to the next user, who would then inherit every
 * session and token still pointing at it (nothing cascades: the user table may live elsewhere).
 * SQLite only makes `integer` (not `bigint`) primary keys the rowid, hence the fixed type there.
 */
export function identityColumn(dialect: SqlDialect, big = false): IdentityColumn {
  if (dialect === 'sqlite') return { type: 'integer', build: (col) => col.primaryKey().autoIncrement() };
  return {
    type: big ? 'bigint' : 'integer',
    build: (col) => col.primaryKey().generatedByDefaultAsIdentity(),
  };
}

/**
 * Runs `fn` so that every caller passing the same `scope` and `id` (e.g. creating one user's API
 * tokens under a limit) goes one at a time; `fn` must do its check and write in ONE statement.
 *
 * SQLite: that statement is already atomic (one writer at a time), and no transaction is opened on
 * purpose: better-sqlite3 waits for a lock synchronously, so a transaction held open across an
 * `await` would freeze the event loop of any other connection in the process until busy_timeout.
 * PostgreSQL: READ COMMITTED lets two concurrent `INSERT … SELECT … WHERE count < n` both see the
 * old count, so a transaction takes an advisory lock on (scope, id) first.
 */
export async function serialisedPer<DB, R>(
  db: Kysely<DB>,
  dialect: SqlDialect,
  scope: string,
  id: number,
  fn: (db: Kysely<DB>) => Promise<R>,
): Promise<R> {
  if (dialect === 'sqlite') return fn(db);
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${scope}), ${id}::integer)`.execute(trx);
    return fn(trx);
  });
}

/** Whether `value` names a dialect; for validating input from config. */
export function isSqlDialect(value: string): value is SqlDialect {
  return value === 'sqlite' || value === 'postgres';
}
