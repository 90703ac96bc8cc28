import { type Kysely, sql } from 'kysely';
import type { Stores } from '../types.js';
import { sqlApiTokenStore } from './api-tokens.js';
import { sqlAuditStore } from './audit.js';
import type { SqlDialect } from './dialect.js';
import { sqlJwtStateStore } from './jwt-state.js';
import { sqlMfaStore } from './mfa.js';
import { sqlRateLimitStore } from './rate-limits.js';
import type { Database } from './schema.js';
import { sqlSessionStore } from './sessions.js';
import { sqlUserStore } from './users.js';

export { sqlApiTokenStore } from './api-tokens.js';
export { sqlAuditStore } from './audit.js';
export { isSqlDialect, type SqlDialect } from './dialect.js';
export { sqlJwtStateStore } from './jwt-state.js';
export { sqlMfaStore } from './mfa.js';
export { migrateToLatest, migrationProvider, migrations } from './migrations.js';
export { sqlRateLimitStore } from './rate-limits.js';
export type { Database } from './schema.js';
export { sqlSessionStore } from './sessions.js';
export { cachingSqliteDatabase } from './sqlite-database.js';
export { sqlUserStore } from './users.js';

/** How long `health()` waits for the trivial query before calling the database down. */
const HEALTH_TIMEOUT_MS = 2_000;

/**
 * Every store over one Kysely database (SQLite or PostgreSQL, already migrated: see
 * `migrateToLatest`). `close()` destroys `db`.
 *
 * @example
 * const stores = createSqlStores(db, 'sqlite');
 * await stores.health(); // { sqlite: 'ok' }
 */
export function createSqlStores(db: Kysely<Database>, dialect: SqlDialect): Stores {
  const users = sqlUserStore(db, dialect);
  return {
    users,
    // Both read their user in the same statement while `users` is the UserStore in use.
    sessions: sqlSessionStore(db, users),
    apiTokens: sqlApiTokenStore(db, dialect, users),
    jwtState: sqlJwtStateStore(db),
    rateLimits: sqlRateLimitStore(db),
    audit: sqlAuditStore(db),
    mfa: sqlMfaStore(db),
    async health() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('health check timed out')), HEALTH_TIMEOUT_MS);
      });
      try {
        await Promise.race([sql`select 1`.execute(db), timeout]);
        return { [dialect]: 'ok' };
      } catch {
        return { [dialect]: 'down' };
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await db.destroy();
    },
  };
}
