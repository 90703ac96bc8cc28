import type { Compilable, CompiledQuery, Kysely } from 'kysely';

/**
 * A query compiled once, at construction, and then run with fresh parameter values: the
 * per-request lookups (session by digest, key by digest, user by id) pay no query building and no
 * SQL generation per call. On SQLite the statement itself is also prepared once (sqlite-database.ts).
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
  return async (parameters) => {
    const result = await db.executeQuery<R>({ ...compiled, parameters });
    return result.rows;
  };
}
