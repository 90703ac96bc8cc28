/**
 * Millions of rows for the scale mode, written straight into gatehouse's tables through Kysely
 * (multi-row INSERTs, one transaction per 100k rows): creating them one by one through the stores
 * would take longer than the measurement. Digests are SHA-256 hex like real ones, so the unique
 * indexes hold the same shape of keys.
 */
import { createHash } from 'node:crypto';
import type { Insertable } from 'kysely';
import { openDatabase } from '../../src/stores/open.js';
import type { ApiTokensTable, SessionsTable } from '../../src/stores/sql/schema.js';

const ROWS_PER_INSERT = 1_000;
const ROWS_PER_TRANSACTION = 100_000;
/** Bulk rows belong to users of their own, so the measured users' per-user token limit is untouched. */
const BULK_USERS = 1_000;

const digest = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface BulkOptions {
  databaseUrl: string;
  /** Distinguishes one seeding from another (ids and digests must not collide). */
  tag: string;
  count: number;
  /** ms; in the past for rows `flush-expired` should delete. */
  expiresAt: number;
}

/** Creates BULK_USERS users with unusable passwords (idempotent); returns their ids. */
async function bulkUsers(db: Awaited<ReturnType<typeof openDatabase>>['db']): Promise<number[]> {
  const existing = await db
    .selectFrom('gatehouse_users')
    .select('id')
    .where('username', 'like', 'bulk%')
    .execute();
  if (existing.length >= BULK_USERS) return existing.map((r) => r.id);
  const now = Date.now();
  await db.transaction().execute(async (trx) => {
    for (let i = existing.length; i < BULK_USERS; i++) {
      await trx
        .insertInto('gatehouse_users')
        .values({
          username: `bulk${i}`,
          email: '',
          password_hash: '',
          is_active: 1,
          is_admin: 0,
          date_joined: now,
          last_login: null,
          tokens_valid_after: null,
        })
        .execute();
    }
  });
  return (
    await db.selectFrom('gatehouse_users').select('id').where('username', 'like', 'bulk%').execute()
  ).map((r) => r.id);
}

/**
 * Inserts `count` sessions and `count` API tokens expiring at `expiresAt`. Returns the time it
 * took, ms.
 *
 * @example
 * await seedBulk({ databaseUrl, tag: 'live', count: 1_000_000, expiresAt: Date.now() + 86_400_000 });
 */
export async function seedBulk(opts: BulkOptions): Promise<number> {
  const started = performance.now();
  const { db } = await openDatabase(opts.databaseUrl);
  try {
    const users = await bulkUsers(db);
    const now = Date.now();
    for (let base = 0; base < opts.count; base += ROWS_PER_TRANSACTION) {
      const end = Math.min(opts.count, base + ROWS_PER_TRANSACTION);
      await db.transaction().execute(async (trx) => {
        for (let from = base; from < end; from += ROWS_PER_INSERT) {
          const sessions: Insertable<SessionsTable>[] = [];
          const tokens: Insertable<ApiTokensTable>[] = [];
          for (let i = from; i < Math.min(end, from + ROWS_PER_INSERT); i++) {
            const userId = users[i % users.length]!;
            sessions.push({
              id: `${opts.tag}-s${i}`,
              digest: digest(`${opts.tag}-session-${i}`),
              user_id: userId,
              created_at: now,
              last_seen_at: now,
              expires_at: opts.expiresAt,
              ip: '127.0.0.1',
              user_agent: 'bench',
              data: '{}',
            });
            tokens.push({
              id: `${opts.tag}-t${i}`,
              digest: digest(`${opts.tag}-token-${i}`),
              user_id: userId,
              name: 'bulk',
              prefix: 'gat_bulk',
              scopes: '[]',
              created_at: now,
              last_used_at: null,
              expires_at: opts.expiresAt,
            });
          }
          await trx.insertInto('gatehouse_sessions').values(sessions).execute();
          await trx.insertInto('gatehouse_api_tokens').values(tokens).execute();
        }
      });
    }
  } finally {
    await db.destroy();
  }
  return performance.now() - started;
}

/** Rows of sessions and API tokens expired at `now` (what flush-expired should leave at 0). */
export async function countExpired(databaseUrl: string, now: number): Promise<number> {
  const { db } = await openDatabase(databaseUrl);
  try {
    let n = 0;
    for (const table of ['gatehouse_sessions', 'gatehouse_api_tokens'] as const) {
      const r = await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('expires_at', '<=', now)
        .executeTakeFirstOrThrow();
      n += Number(r.n);
    }
    return n;
  } finally {
    await db.destroy();
  }
}
