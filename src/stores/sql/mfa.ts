import type { Kysely, Selectable } from 'kysely';
import type { MfaStore, PasskeyRecord } from '../types.js';
import { fromFlag, fromJson, num, numOrNull, toFlag, toJson } from './codec.js';
import { deleteExpiredBatch } from './delete-expired.js';
import type { Database, MfaPasskeysTable } from './schema.js';
import { guard } from './translate-errors.js';

const TOTP = 'gatehouse_mfa_totp';
const CODES = 'gatehouse_mfa_recovery_codes';
const STEPS = 'gatehouse_mfa_used_steps';
const CHALLENGES = 'gatehouse_mfa_challenges';
const PASSKEYS = 'gatehouse_mfa_passkeys';

const passkeyOf = (row: Selectable<MfaPasskeysTable>): PasskeyRecord => ({
  id: row.id,
  userId: num(row.user_id),
  name: row.name,
  publicKey: row.public_key,
  counter: num(row.counter),
  transports: fromJson<string[]>(row.transports),
  createdAt: num(row.created_at),
  lastUsedAt: numOrNull(row.last_used_at),
});

/** The key of a spent step: one column, so the batched cleanup can select it. */
const stepKey = (userId: number, step: number): string => `${userId}:${step}`;

/**
 * The MfaStore over five tables (migrations 0004, 0005). Spending a step, a code or a challenge is one
 * statement whose row count says who won (an insert that conflicts, a delete that finds the
 * row), so two servers never both accept the same code.
 *
 * @example
 * const mfa = sqlMfaStore(db);
 * if (!(await mfa.useTotpStep(user.id, step, now + 90_000))) throw replayed;
 */
export function sqlMfaStore(db: Kysely<Database>): MfaStore {
  return guard('mfa', {
    async getTotp(userId) {
      const row = await db.selectFrom(TOTP).selectAll().where('user_id', '=', userId).executeTakeFirst();
      if (!row) return null;
      return {
        userId: row.user_id,
        secret: row.secret,
        confirmed: fromFlag(row.confirmed),
        createdAt: num(row.created_at),
      };
    },
    async setTotp(record) {
      const values = {
        secret: record.secret,
        confirmed: toFlag(record.confirmed),
        created_at: record.createdAt,
      };
      await db
        .insertInto(TOTP)
        .values({ user_id: record.userId, ...values })
        .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
        .execute();
    },
    async confirmTotp(userId) {
      const r = await db
        .updateTable(TOTP)
        .set({ confirmed: 1 })
        .where('user_id', '=', userId)
        .where('confirmed', '=', 0)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async replaceRecoveryCodes(userId, digests, now) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom(CODES).where('user_id', '=', userId).execute();
        if (digests.length === 0) return;
        await trx
          .insertInto(CODES)
          .values(digests.map((digest) => ({ user_id: userId, digest, created_at: now })))
          .execute();
      });
    },
    async useRecoveryCode(userId, digest) {
      const r = await db
        .deleteFrom(CODES)
        .where('user_id', '=', userId)
        .where('digest', '=', digest)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async countRecoveryCodes(userId) {
      const row = await db
        .selectFrom(CODES)
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      return num(row.n);
    },
    async useTotpStep(userId, step, expiresAt) {
      const r = await db
        .insertInto(STEPS)
        .values({ key: stepKey(userId, step), user_id: userId, expires_at: expiresAt })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async createChallenge(c) {
      await db
        .insertInto(CHALLENGES)
        .values({ digest: c.digest, user_id: c.userId, purpose: c.purpose, expires_at: c.expiresAt })
        .execute();
    },
    async takeChallenge(digest, now) {
      const row = await db
        .deleteFrom(CHALLENGES)
        .where('digest', '=', digest)
        .returningAll()
        .executeTakeFirst();
      if (!row || num(row.expires_at) <= now) return null;
      return {
        digest: row.digest,
        userId: row.user_id,
        purpose: row.purpose,
        expiresAt: num(row.expires_at),
      };
    },
    async addPasskey(p) {
      await db
        .insertInto(PASSKEYS)
        .values({
          id: p.id,
          user_id: p.userId,
          name: p.name,
          public_key: p.publicKey,
          counter: p.counter,
          transports: toJson(p.transports),
          created_at: p.createdAt,
          last_used_at: p.lastUsedAt,
        })
        .execute();
    },
    async getPasskey(id) {
      const row = await db.selectFrom(PASSKEYS).selectAll().where('id', '=', id).executeTakeFirst();
      return row ? passkeyOf(row) : null;
    },
    async listPasskeys(userId) {
      const rows = await db
        .selectFrom(PASSKEYS)
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(passkeyOf);
    },
    async usePasskey(id, expected, counter, now) {
      // Compare-and-set on the counter: of two assertions carrying the same count, one wins.
      const r = await db
        .updateTable(PASSKEYS)
        .set({ counter, last_used_at: now })
        .where('id', '=', id)
        .where('counter', '=', expected)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async deletePasskey(userId, id) {
      const r = await db
        .deleteFrom(PASSKEYS)
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async deleteForUser(userId) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom(PASSKEYS).where('user_id', '=', userId).execute();
        const r = await trx.deleteFrom(TOTP).where('user_id', '=', userId).executeTakeFirst();
        await trx.deleteFrom(CODES).where('user_id', '=', userId).execute();
        await trx.deleteFrom(STEPS).where('user_id', '=', userId).execute();
        await trx.deleteFrom(CHALLENGES).where('user_id', '=', userId).execute();
        return Number(r.numDeletedRows) > 0;
      });
    },
    async deleteExpired(now, limit) {
      const steps = await deleteExpiredBatch(db, STEPS, 'key', 'expires_at', now, limit);
      if (steps >= limit) return steps;
      return steps + (await deleteExpiredBatch(db, CHALLENGES, 'digest', 'expires_at', now, limit - steps));
    },
  } satisfies MfaStore);
}
