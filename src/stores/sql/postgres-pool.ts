import type { Kysely } from 'kysely';

/** What gatehouse needs of a pg Pool to run a named statement (pg's `Pool` is one). */
export interface NamedStatementPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

const direct = new WeakMap<object, NamedStatementPool>();

/**
 * Lets the per-request lookups of the stores over `kysely` run as named prepared statements on
 * `pool` (see prepared.ts): the pool Kysely's PostgresDialect was given, so the same connections.
 */
export function allowNamedStatements(kysely: Kysely<unknown>, pool: NamedStatementPool): void {
  direct.set(kysely, pool);
}

/** The pg pool behind `kysely`, when {@link allowNamedStatements} named one. */
export function directPostgres(kysely: Kysely<unknown>): NamedStatementPool | undefined {
  return direct.get(kysely);
}
