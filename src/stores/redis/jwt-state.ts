import type { Redis } from 'ioredis';
import { UniqueViolation } from '../errors.js';
import type { JwtStateStore, OutstandingRefresh, RefreshState, SpendResult } from '../types.js';
import {
  BLACKLIST,
  DELETE_EXPIRED,
  RECORD,
  REFRESH_STATE,
  REVOKE_ALL_FOR_USER,
  REVOKE_FAMILY,
  SPEND,
} from './lua/jwt-state.js';
import { redisGuard } from './translate-errors.js';
import { KEEP_EXPIRED_MS, ttlMs } from './ttl.js';

/** SPEND's reply to a SpendResult. */
function toSpendResult(jti: string, reply: readonly string[]): SpendResult {
  const [status, userId, familyId, issuedAt, expiresAt] = reply;
  if (status === 'spent' || status === 'reused') {
    const token: OutstandingRefresh = {
      jti,
      userId: Number(userId),
      familyId: familyId as string,
      issuedAt: Number(issuedAt),
      expiresAt: Number(expiresAt),
    };
    return { status, token };
  }
  if (status === 'revoked') return { status };
  return { status: 'unknown' };
}

/**
 * The JwtStateStore in Redis: outstanding refresh tokens, the blacklist and revoked families,
 * each kept until its expiry by a TTL. `spend` is one Lua script that checks the blacklist, the
 * family and the spent mark and sets the mark, so of concurrent refreshes on any number of
 * instances exactly one wins, and a replay seen anywhere is reported as `reused`.
 *
 * @example
 * const jwt = redisJwtStateStore(client, 'gatehouse:');
 * const result = await jwt.spend(payload.jti, now);
 * if (result.status === 'reused') await jwt.revokeFamily(result.token.familyId, now);
 */
export function redisJwtStateStore(client: Redis, prefix: string): JwtStateStore {
  return redisGuard('jwtState', {
    async recordOutstanding(t) {
      const reply = await RECORD.run(
        client,
        [],
        [
          prefix,
          t.jti,
          t.userId,
          t.familyId,
          t.issuedAt,
          t.expiresAt,
          ttlMs(t.expiresAt, t.issuedAt),
          t.issuedAt - KEEP_EXPIRED_MS,
        ],
      );
      if (reply !== 'ok') throw new UniqueViolation(String(reply));
    },
    async spend(jti, now) {
      return toSpendResult(jti, (await SPEND.run(client, [], [prefix, jti, now])) as string[]);
    },
    async refreshState(jti) {
      return (await REFRESH_STATE.run(client, [], [prefix, jti])) as RefreshState;
    },
    async blacklist(jti, expiresAt, now) {
      await BLACKLIST.run(client, [], [prefix, jti, expiresAt, ttlMs(expiresAt, now)]);
    },
    async isBlacklisted(jti) {
      return (await client.exists(`${prefix}blacklist:${jti}`)) === 1;
    },
    async revokeFamily(familyId, now) {
      await REVOKE_FAMILY.run(client, [], [prefix, familyId, now, KEEP_EXPIRED_MS]);
    },
    async isFamilyRevoked(familyId) {
      return (await client.hexists(`${prefix}family:${familyId}`, 'revokedAt')) === 1;
    },
    async revokeAllForUser(userId, now) {
      return Number(await REVOKE_ALL_FOR_USER.run(client, [], [prefix, userId, now]));
    },
    async deleteExpired(now, limit) {
      return Number(await DELETE_EXPIRED.run(client, [], [prefix, now, limit]));
    },
  } satisfies JwtStateStore);
}
