import type { Kysely, Selectable, Updateable } from 'kysely';
import type {
  JwtStateStore,
  OutstandingRefresh,
  RefreshSuccessor,
  RotateResult,
  SpendResult,
} from '../types.js';
import { num } from './codec.js';
import { deleteExpiredBatch } from './delete-expired.js';
import type { Database, JwtOutstandingTable } from './schema.js';
import { canBeId, canBeText } from './storable.js';
import { guard } from './translate-errors.js';

const O = 'gatehouse_jwt_outstanding';
const B = 'gatehouse_jwt_blacklist';
const F = 'gatehouse_jwt_revoked_families';

function toOutstanding(row: Selectable<JwtOutstandingTable>): OutstandingRefresh {
  return {
    jti: row.jti,
    userId: row.user_id,
    familyId: row.family_id,
    issuedAt: num(row.issued_at),
    expiresAt: num(row.expires_at),
  };
}

/** The successor a spent row names, as an outstanding token of the row's user and family. */
function successorOf(row: Selectable<JwtOutstandingTable>): OutstandingRefresh | null {
  if (row.successor_jti === null || row.successor_issued_at === null || row.successor_expires_at === null) {
    return null;
  }
  return {
    jti: row.successor_jti,
    userId: row.user_id,
    familyId: row.family_id,
    issuedAt: num(row.successor_issued_at),
    expiresAt: num(row.successor_expires_at),
  };
}

/**
 * The JwtStateStore over three tables: outstanding refresh tokens, the blacklist and revoked
 * families. `spend` is one conditional UPDATE, so the database, not this process, decides which of
 * several concurrent refreshes (on any number of servers) wins.
 *
 * @example
 * const jwt = sqlJwtStateStore(db);
 * const result = await jwt.spend(payload.jti, now);
 * if (result.status === 'reused') await jwt.revokeFamily(result.token.familyId, now);
 */
export function sqlJwtStateStore(db: Kysely<Database>): JwtStateStore {
  /** The token's row, or 'revoked' (blacklisted, or its family revoked), or undefined (unknown). */
  const inspect = async (jti: string): Promise<Selectable<JwtOutstandingTable> | 'revoked' | undefined> => {
    const row = await db.selectFrom(O).selectAll().where('jti', '=', jti).executeTakeFirst();
    const blacklisted = await db.selectFrom(B).select('jti').where('jti', '=', jti).executeTakeFirst();
    if (blacklisted) return 'revoked';
    if (!row) return undefined;
    const revoked = await db
      .selectFrom(F)
      .select('family_id')
      .where('family_id', '=', row.family_id)
      .executeTakeFirst();
    return revoked ? 'revoked' : row;
  };
  const explain = async (jti: string): Promise<SpendResult> => {
    const row = await inspect(jti);
    if (row === 'revoked') return { status: 'revoked' };
    if (!row) return { status: 'unknown' };
    // Not blacklisted, not revoked, yet the UPDATE missed: it was spent before (a replay).
    return { status: 'reused', token: toOutstanding(row) };
  };

  /** Spends `jti` if it is outstanding, blacklisted nowhere and of a live family (one UPDATE). */
  const spendRow = (jti: string, set: Updateable<JwtOutstandingTable>) =>
    db
      .updateTable(O)
      .set(set)
      .where('jti', '=', jti)
      .where('spent_at', 'is', null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom(B).select(`${B}.jti`).where(`${B}.jti`, '=', jti))))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom(F).select(`${F}.family_id`).whereRef(`${F}.family_id`, '=', `${O}.family_id`),
          ),
        ),
      )
      .returningAll()
      .executeTakeFirst();
  /**
   * Records the successor's outstanding row. The winning rotation and every replay write it (the
   * same values, first one wins): a replay can then run before the winner's second statement, and
   * a crash between the winner's two statements leaves nothing missing.
   */
  const recordSuccessor = async (next: OutstandingRefresh): Promise<void> => {
    await db
      .insertInto(O)
      .values({
        jti: next.jti,
        user_id: next.userId,
        family_id: next.familyId,
        issued_at: next.issuedAt,
        expires_at: next.expiresAt,
        spent_at: null,
      })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute();
  };
  /** A spent row's successor when it may be handed out again at `now`; else null (reuse). */
  const replayable = async (
    row: Selectable<JwtOutstandingTable>,
    now: number,
    graceMs: number,
  ): Promise<OutstandingRefresh | null> => {
    const next = successorOf(row);
    if (next === null || row.spent_at === null || graceMs <= 0 || now - num(row.spent_at) >= graceMs)
      return null;
    await recordSuccessor(next);
    const head = await inspect(next.jti);
    if (head === 'revoked' || head === undefined || head.spent_at !== null) return null;
    // A jti collision with another user's token would be a bug, never a replay.
    return head.user_id === row.user_id && head.family_id === row.family_id ? next : null;
  };

  return guard('jwtState', {
    async recordOutstanding(t) {
      await db
        .insertInto(O)
        .values({
          jti: t.jti,
          user_id: t.userId,
          family_id: t.familyId,
          issued_at: t.issuedAt,
          expires_at: t.expiresAt,
          spent_at: null,
        })
        .execute();
    },
    async spend(jti, now) {
      if (!canBeText(jti)) return { status: 'unknown' };
      const spent = await spendRow(jti, { spent_at: now });
      if (spent) return { status: 'spent', token: toOutstanding(spent) };
      return explain(jti);
    },
    async rotate(jti, now, successor: RefreshSuccessor, graceMs): Promise<RotateResult> {
      if (!canBeText(jti)) return { status: 'unknown' };
      // The spend and the successor's name are one UPDATE: the database picks the one winner, and
      // every loser reads the successor that winner recorded.
      const spent = await spendRow(jti, {
        spent_at: now,
        successor_jti: successor.jti,
        successor_issued_at: successor.issuedAt,
        successor_expires_at: successor.expiresAt,
      });
      if (spent) {
        const token = toOutstanding(spent);
        await recordSuccessor({ ...successor, userId: token.userId, familyId: token.familyId });
        return { status: 'spent', token };
      }
      const row = await inspect(jti);
      if (row === 'revoked') return { status: 'revoked' };
      if (!row) return { status: 'unknown' };
      const token = toOutstanding(row);
      const next = await replayable(row, now, graceMs);
      return next ? { status: 'replayed', token, successor: next } : { status: 'reused', token };
    },
    async refreshState(jti) {
      if (!canBeText(jti)) return 'unknown';
      const row = await inspect(jti);
      if (row === 'revoked') return 'revoked';
      if (!row) return 'unknown';
      return row.spent_at === null ? 'outstanding' : 'spent';
    },
    async blacklist(jti, expiresAt, now) {
      await db
        .insertInto(B)
        .values({ jti, blacklisted_at: now, expires_at: expiresAt })
        .onConflict((oc) => oc.column('jti').doNothing())
        .execute();
    },
    async isBlacklisted(jti) {
      if (!canBeText(jti)) return false;
      return (await db.selectFrom(B).select('jti').where('jti', '=', jti).executeTakeFirst()) !== undefined;
    },
    async revokeFamily(familyId, now) {
      await db
        .insertInto(F)
        .values({ family_id: familyId, revoked_at: now })
        .onConflict((oc) => oc.column('family_id').doNothing())
        .execute();
    },
    async isFamilyRevoked(familyId) {
      if (!canBeText(familyId)) return false;
      return (
        (await db.selectFrom(F).select('family_id').where('family_id', '=', familyId).executeTakeFirst()) !==
        undefined
      );
    },
    async revokeAllForUser(userId, now) {
      if (!canBeId(userId)) return 0;
      // Revokes the families of the user's tokens that could still be presented; returns how many
      // families were newly revoked. (SQLite needs the WHERE before ON CONFLICT to parse an upsert.)
      const r = await db
        .insertInto(F)
        .columns(['family_id', 'revoked_at'])
        .expression(
          db
            .selectFrom(O)
            .select((eb) => [`${O}.family_id`, eb.cast<number>(eb.val(now), 'bigint').as('revoked_at')])
            .distinct()
            .where('user_id', '=', userId)
            .where('expires_at', '>', now),
        )
        .onConflict((oc) => oc.column('family_id').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0);
    },
    async deleteExpired(now, limit) {
      // Bounded batches by primary key, sharing one budget of `limit` rows, so a return below
      // `limit` means nothing is left to delete at `now`.
      let n = await deleteExpiredBatch(db, O, 'jti', 'expires_at', now, limit);
      if (n >= limit) return n;
      n += await deleteExpiredBatch(db, B, 'jti', 'expires_at', now, limit - n);
      if (n >= limit) return n;
      // A revoked family matters while one of its tokens is outstanding; after the last one
      // expired and was deleted above, nothing of the family can be presented any more.
      const orphaned = db
        .selectFrom(`${F} as f`)
        .select('f.family_id')
        .where((eb) =>
          eb.not(
            eb.exists(eb.selectFrom(`${O} as o`).select('o.jti').whereRef('o.family_id', '=', 'f.family_id')),
          ),
        )
        .limit(limit - n);
      const f = await db.deleteFrom(F).where('family_id', 'in', orphaned).executeTakeFirst();
      return n + Number(f.numDeletedRows);
    },
  } satisfies JwtStateStore);
}
