import type { Database as BetterSqlite3Database, Statement } from 'better-sqlite3';
import type { Kysely, SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct SQL texts kept prepared; gatehouse issues a few dozen, so this is never reached in practice. */
const DEFAULT_MAX_STATEMENTS = 256;

/**
 * Hands Kysely's SqliteDialect a better-sqlite3 database whose `prepare(sql)` returns a cached
 * statement: Kysely calls `prepare` on every query, and letting SQLite re-parse and re-plan the
 * same SQL each request is most of a lookup's cost. The cache is bounded (oldest out first) so
 * that a caller building SQL with varying shapes cannot grow it without limit.
 *
 * Safe because Kysely runs one query at a time on its single SQLite connection, so no cached
 * statement is ever in use twice at once.
 *
 * @example
 * const dialect = new SqliteDialect({ database: cachingSqliteDatabase(new BetterSqlite3('app.db')) });
 */
export function cachingSqliteDatabase(
  db: BetterSqlite3Database,
  maxStatements = DEFAULT_MAX_STATEMENTS,
): SqliteDatabase {
  const cache = new Map<string, Statement>();
  return {
    close() {
      cache.clear();
      db.close();
    },
    prepare(sqlText: string): SqliteStatement {
      let stmt = cache.get(sqlText);
      if (stmt) return stmt as SqliteStatement;
      stmt = db.prepare(sqlText);
      if (cache.size >= maxStatements) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(sqlText, stmt);
      return stmt as SqliteStatement;
    },
  };
}

const direct = new WeakMap<object, BetterSqlite3Database>();

/**
 * Lets the per-request lookups of the stores over `kysely` read `db` directly (see
 * prepared.ts): same connection, same statements, without Kysely's driver around each read.
 * Only for a Kysely whose single connection is `db`.
 */
export function allowDirectReads(kysely: Kysely<unknown>, db: BetterSqlite3Database): void {
  direct.set(kysely, db);
}

/** The better-sqlite3 connection behind `kysely`, when {@link allowDirectReads} named one. */
export function directSqlite(kysely: Kysely<unknown>): BetterSqlite3Database | undefined {
  return direct.get(kysely);
}
