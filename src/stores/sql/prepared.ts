import { createHash } from 'node:crypto';
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import { directPostgres } from './postgres-pool.js';
import { directSqlite } from './sqlite-database.js';

/**
 * A query compiled once, at construction, and then run with fresh parameter values: the
 * per-request lookups (session by digest, key by digest, user by id) pay no query building and no
 * SQL generation per call.
 *
 * On a SQLite database opened by gatehouse (`allowDirectReads`), the statement is prepared once on
 * the better-sqlite3 connection and run directly. Kysely's driver would run the same statement
 * on the same connection, but through a connection mutex, its executor and about a dozen promise
 * hops: over HTTP that cost more than the read itself. Running beside Kysely is safe because
 * better-sqlite3 is synchronous and gatehouse never holds a SQLite transaction open across an
 * `await` (dialect.ts): a read never lands inside someone else's transaction.
 *
 * On PostgreSQL (`allowNamedStatements`), it runs as a named prepared statement on the pool:
 * each connection parses and plans it once, then only binds and executes, where an unnamed query
 * is parsed and planned again on every request. The statements select their columns by name
 * (columns.ts), so a column added by a later migration does not break a prepared plan.
 *
 * `query` is built with stand-in values; `arity` is how many parameters it must have, checked
 * here so that a query that grew an extra parameter (a `limit`, say) fails at start-up, not with
 * wrong bindings at run time.
 *
 * @example
 * const byDigest = preparedQuery(db, db.selectFrom('gatehouse_sessions').selectAll().where('digest', '=', ''), 1);
 * const rows = await byDigest([digest]);
 */
export function preparedQuery<DB, R>(
  db: Kysely<DB>,
  query: Compilable<R>,
  arity: number,
): (parameters: readonly unknown[]) => Promise<R[]> {
  const compiled: CompiledQuery<R> = query.compile();
  if (compiled.parameters.length !== arity) {
    throw new Error(
      `prepared query expects ${arity} parameters, compiled ${compiled.parameters.length}: ${compiled.sql}`,
    );
  }
  const sqlite = directSqlite(db as Kysely<unknown>);
  if (sqlite) {
    const stmt = sqlite.prepare<unknown[], R>(compiled.sql);
    return (parameters) => {
      try {
        return Promise.resolve(stmt.all(parameters as unknown[]));
      } catch (err) {
        return Promise.reject(err);
      }
    };
  }
  const pool = directPostgres(db as Kysely<unknown>);
  if (pool) {
    // One name per SQL text, the same in every process, so a name never means two statements.
    const name = `gatehouse_${createHash('sha256').update(compiled.sql).digest('hex').slice(0, 32)}`;
    return async (parameters) => {
      const result = await pool.query({ name, text: compiled.sql, values: parameters as unknown[] });
      return result.rows as R[];
    };
  }
  return async (parameters) => {
    const result = await db.executeQuery<R>({ ...compiled, parameters });
    return result.rows;
  };
}
