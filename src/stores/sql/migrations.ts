import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { StoreUnavailable } from '../errors.js';
import { identityColumn, type SqlDialect } from './dialect.js';
import { translateError } from './translate-errors.js';

/** Kysely's bookkeeping tables, named so they sit next to ours and not next to the application's. */
const MIGRATION_TABLE = 'gatehouse_migrations';
const MIGRATION_LOCK_TABLE = 'gatehouse_migrations_lock';

/**
 * 0001: every table the stores use. No foreign keys to `gatehouse_users`: an application may keep
 * its users elsewhere (its own UserStore), and sessions, tokens and refresh state still work.
 * Every column a query filters on has an index, including `expires_at` for the batched cleanup.
 */
function initial(dialect: SqlDialect): Migration {
  const userId = identityColumn(dialect);
  const auditId = identityColumn(dialect, true);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('gatehouse_users')
        .addColumn('id', userId.type, userId.build)
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('date_joined', 'bigint', (c) => c.notNull())
        .addColumn('last_login', 'bigint')
        .addColumn('tokens_valid_after', 'bigint')
        .execute();
      await db.schema
        .createIndex('gatehouse_users_username_key')
        .on('gatehouse_users')
        .column('username')
        .unique()
        .execute();

      await db.schema
        .createTable('gatehouse_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('user_agent', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('gatehouse_sessions_digest_key')
        .on('gatehouse_sessions')
        .column('digest')
        .unique()
        .execute();
      await db.schema
        .createIndex('gatehouse_sessions_user_id')
        .on('gatehouse_sessions')
        .column('user_id')
        .execute();
      await db.schema
        .createIndex('gatehouse_sessions_expires_at')
        .on('gatehouse_sessions')
        .column('expires_at')
        .execute();

      await db.schema
        .createTable('gatehouse_api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('expires_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('gatehouse_api_tokens_digest_key')
        .on('gatehouse_api_tokens')
        .column('digest')
        .unique()
        .execute();
      await db.schema
        .createIndex('gatehouse_api_tokens_user_id')
        .on('gatehouse_api_tokens')
        .column('user_id')
        .execute();
      await db.schema
        .createIndex('gatehouse_api_tokens_expires_at')
        .on('gatehouse_api_tokens')
        .column('expires_at')
        .execute();

      await db.schema
        .createTable('gatehouse_jwt_outstanding')
        .addColumn('jti', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('family_id', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('spent_at', 'bigint')
        .execute();
      for (const column of ['user_id', 'family_id', 'expires_at']) {
        await db.schema
          .createIndex(`gatehouse_jwt_outstanding_${column}`)
          .on('gatehouse_jwt_outstanding')
          .column(column)
          .execute();
      }

      await db.schema
        .createTable('gatehouse_jwt_blacklist')
        .addColumn('jti', 'text', (c) => c.primaryKey())
        .addColumn('blacklisted_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('gatehouse_jwt_blacklist_expires_at')
        .on('gatehouse_jwt_blacklist')
        .column('expires_at')
        .execute();

      await db.schema
        .createTable('gatehouse_jwt_revoked_families')
        .addColumn('family_id', 'text', (c) => c.primaryKey())
        .addColumn('revoked_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('gatehouse_rate_limits')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('hits', 'integer', (c) => c.notNull())
        .addColumn('reset_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('gatehouse_rate_limits_reset_at')
        .on('gatehouse_rate_limits')
        .column('reset_at')
        .execute();

      await db.schema
        .createTable('gatehouse_audit')
        .addColumn('id', auditId.type, auditId.build)
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('user_id', 'integer')
        .addColumn('username', 'text')
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('user_agent', 'text', (c) => c.notNull())
        .addColumn('scheme', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('gatehouse_audit_at').on('gatehouse_audit').column('at').execute();
      await db.schema
        .createIndex('gatehouse_audit_user_id_at')
        .on('gatehouse_audit')
        .columns(['user_id', 'at'])
        .execute();
    },
  };
}

/**
 * 0002: a spent refresh token remembers the successor `rotate` recorded with it, so a presentation
 * inside `jwt.reuseGraceSeconds` gets that same successor again. Nullable columns: rows from before
 * (and tokens spent without rotation) have none, and are never replayed.
 */
const refreshSuccessor: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const columns = [
      ['successor_jti', 'text'],
      ['successor_issued_at', 'bigint'],
      ['successor_expires_at', 'bigint'],
    ] as const;
    // One statement per column: SQLite's ALTER TABLE adds one column at a time.
    for (const [name, type] of columns) {
      await db.schema.alterTable('gatehouse_jwt_outstanding').addColumn(name, type).execute();
    }
  },
};

/**
 * 0003: whether a user's address is verified (docs/email.md), existing users unverified; and an
 * index for the mail flows' case-insensitive lookup by address.
 */
const emailVerified: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('gatehouse_users')
      .addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('gatehouse_users_email_lower')
      .on('gatehouse_users')
      .expression(sql`lower(email)`)
      .execute();
  },
};

/**
 * 0004: second factors (docs/mfa.md): a user's TOTP, recovery codes (digests), the TOTP steps
 * already accepted (a code works once) and pending sign-ins waiting for their second step.
 */
const mfa: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('gatehouse_mfa_totp')
      .addColumn('user_id', 'integer', (c) => c.primaryKey())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('confirmed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('gatehouse_mfa_recovery_codes')
      .addColumn('user_id', 'integer', (c) => c.notNull())
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('gatehouse_mfa_recovery_codes_pkey', ['user_id', 'digest'])
      .execute();
    await db.schema
      .createTable('gatehouse_mfa_used_steps')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('gatehouse_mfa_challenges')
      .addColumn('digest', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'integer', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    for (const table of ['gatehouse_mfa_used_steps', 'gatehouse_mfa_challenges']) {
      await db.schema.createIndex(`${table}_user_id`).on(table).column('user_id').execute();
      await db.schema.createIndex(`${table}_expires_at`).on(table).column('expires_at').execute();
    }
  },
};

/**
 * 0005: passkeys (docs/mfa.md): each WebAuthn credential's public key and sign counter. Their
 * registration and sign-in challenges live in gatehouse_mfa_challenges.
 */
const passkeys: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('gatehouse_mfa_passkeys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('counter', 'bigint', (c) => c.notNull())
      .addColumn('transports', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('gatehouse_mfa_passkeys_user_id')
      .on('gatehouse_mfa_passkeys')
      .column('user_id')
      .execute();
  },
};

/**
 * Every migration, by name; names sort in the order they apply. Add the next as `0006_…`;
 * never edit one that has shipped.
 */
export function migrations(dialect: SqlDialect): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_refresh_successor': refreshSuccessor,
    '0003_email_verified': emailVerified,
    '0004_mfa': mfa,
    '0005_passkeys': passkeys,
  };
}

/** The in-code migration provider: no files to ship or find at run time. */
export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}

/**
 * Applies pending migrations; returns the names applied (empty when already up to date).
 * Kysely's Migrator locks (an advisory lock on PostgreSQL), so two servers starting together do
 * not both migrate.
 *
 * @example
 * const applied = await migrateToLatest(db, 'sqlite'); // every name the first time, [] after
 */
export async function migrateToLatest<DB>(db: Kysely<DB>, dialect: SqlDialect): Promise<string[]> {
  const schema = dialect === 'postgres' ? await currentSchema(db) : null;
  const migrator = new Migrator({
    db,
    provider: migrationProvider(dialect),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    // Kysely looks for its bookkeeping tables in every schema it can see unless told which one:
    // a gatehouse in another schema of the same database (another deployment, a test run beside
    // this one) would then pass for this one's, and migrating would fail. Name ours.
    ...(schema !== null ? { migrationTableSchema: schema } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    // Could not reach the database at all: say so the way every store does.
    const translated = translateError('database', error);
    if (translated instanceof StoreUnavailable) throw translated;
    const failed = results.find((r) => r.status === 'Error');
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? '(setup)'} failed: ${reason}`, { cause: error });
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The schema unqualified names resolve to on PostgreSQL (the first of search_path that exists). */
async function currentSchema<DB>(db: Kysely<DB>): Promise<string | null> {
  try {
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    return rows[0]?.schema ?? null;
  } catch (err) {
    throw translateError('database', err);
  }
}
