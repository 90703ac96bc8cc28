import { UniqueViolation } from '../errors.js';
import type {
  JwtStateStore,
  OutstandingRefresh,
  RefreshSuccessor,
  RotateResult,
  SpendResult,
} from '../types.js';

interface Row {
  token: OutstandingRefresh;
  spentAt: number | null;
  /** The token that replaced this one, when `rotate` spent it. */
  successor: RefreshSuccessor | null;
}

/**
 * A JwtStateStore held in process memory: outstanding refresh tokens, the blacklist and revoked
 * families. `spend` runs without an `await` between its read and its write, so of concurrent
 * callers exactly one sees the token unspent (and `rotate` records its successor in the same step).
 *
 * @example
 * const jwt = memoryJwtStateStore();
 * await jwt.recordOutstanding({ jti, userId: 1, familyId, issuedAt: now, expiresAt });
 * const result = await jwt.spend(jti, now); // { status: 'spent', token }
 */
export function memoryJwtStateStore(): JwtStateStore {
  const outstanding = new Map<string, Row>();
  /** jti -> expiresAt (kept until then, so cleanup can drop it). */
  const blacklist = new Map<string, number>();
  /** familyId -> revokedAt. */
  const revokedFamilies = new Map<string, number>();

  return {
    async recordOutstanding(token) {
      if (outstanding.has(token.jti)) throw new UniqueViolation('jti');
      outstanding.set(token.jti, { token: { ...token }, spentAt: null, successor: null });
    },
    async spend(jti, now): Promise<SpendResult> {
      const row = outstanding.get(jti);
      if (blacklist.has(jti) || (row && revokedFamilies.has(row.token.familyId)))
        return { status: 'revoked' };
      if (!row) return { status: 'unknown' };
      if (row.spentAt !== null) return { status: 'reused', token: { ...row.token } };
      row.spentAt = now;
      return { status: 'spent', token: { ...row.token } };
    },
    async rotate(jti, now, successor, graceMs): Promise<RotateResult> {
      const row = outstanding.get(jti);
      if (blacklist.has(jti) || (row && revokedFamilies.has(row.token.familyId)))
        return { status: 'revoked' };
      if (!row) return { status: 'unknown' };
      const token = { ...row.token };
      if (row.spentAt === null) {
        if (outstanding.has(successor.jti)) throw new UniqueViolation('jti');
        row.spentAt = now;
        row.successor = { ...successor };
        const next = { ...successor, userId: token.userId, familyId: token.familyId };
        outstanding.set(successor.jti, { token: next, spentAt: null, successor: null });
        return { status: 'spent', token };
      }
      const head = row.successor ? outstanding.get(row.successor.jti) : undefined;
      const live = head !== undefined && head.spentAt === null && !blacklist.has(head.token.jti);
      if (graceMs > 0 && now - row.spentAt < graceMs && live) {
        return { status: 'replayed', token, successor: { ...head.token } };
      }
      return { status: 'reused', token };
    },
    async refreshState(jti) {
      const row = outstanding.get(jti);
      if (blacklist.has(jti) || (row && revokedFamilies.has(row.token.familyId))) return 'revoked';
      if (!row) return 'unknown';
      return row.spentAt === null ? 'outstanding' : 'spent';
    },
    async blacklist(jti, expiresAt) {
      if (!blacklist.has(jti)) blacklist.set(jti, expiresAt);
    },
    async isBlacklisted(jti) {
      return blacklist.has(jti);
    },
    async revokeFamily(familyId, now) {
      if (!revokedFamilies.has(familyId)) revokedFamilies.set(familyId, now);
    },
    async isFamilyRevoked(familyId) {
      return revokedFamilies.has(familyId);
    },
    async revokeAllForUser(userId, now) {
      const families = new Set<string>();
      for (const { token } of outstanding.values()) {
        if (token.userId === userId && token.expiresAt > now && !revokedFamilies.has(token.familyId)) {
          families.add(token.familyId);
        }
      }
      for (const f of families) revokedFamilies.set(f, now);
      return families.size;
    },
    async deleteExpired(now, limit) {
      let n = 0;
      for (const [jti, { token }] of outstanding) {
        if (n >= limit) return n;
        if (token.expiresAt <= now && outstanding.delete(jti)) n++;
      }
      for (const [jti, expiresAt] of blacklist) {
        if (n >= limit) return n;
        if (expiresAt <= now && blacklist.delete(jti)) n++;
      }
      // A revoked family matters only while one of its tokens could still be presented; once no
      // outstanding row of it is left, every token of it has expired and the mark can go.
      const live = new Set<string>();
      for (const { token } of outstanding.values()) live.add(token.familyId);
      for (const familyId of [...revokedFamilies.keys()]) {
        if (n >= limit) return n;
        if (!live.has(familyId) && revokedFamilies.delete(familyId)) n++;
      }
      return n;
    },
  };
}
