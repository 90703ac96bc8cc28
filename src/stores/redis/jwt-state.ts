import { StoreUnavailable, UniqueViolation } from '../errors.js';
import type { JwtStateStore, OutstandingRefresh, RefreshState, RotateResult, SpendResult } from '../types.js';
import { COMMAND_TIMEOUT_MS, type RedisClient } from './client.js';
import { sampledClock } from './clock.js';
import { taggedBase } from './keys.js';
import {
  BLACKLIST,
  DELETE_EXPIRED,
  RECORD,
  REFRESH_STATE,
  REVOKE_ALL_FOR_USER,
  REVOKE_FAMILY,
  ROTATE,
  SPEND,
} from './lua/jwt-state.js';
import { luaScript } from './script.js';
import { redisGuard } from './translate-errors.js';
import { KEEP_EXPIRED_MS, ttlMs } from './ttl.js';

/**
 * A spend that starts running in Redis later than this after its client sent it (Redis's clock) is not
 * applied: its client gives up on it at COMMAND_TIMEOUT_MS (503). A quarter of the timeout is kept
 * as a margin for the sampled clock's error (clock.ts), so a late spend is refused even when the
 * estimate is off. One that ran inside it but whose reply came too late is the grace window's
 * case: the retry gets its successor.
 */
const SPEND_MAX_LAG_MS = (COMMAND_TIMEOUT_MS * 3) / 4;

/** A token of SPEND's and ROTATE's replies (jti, then userId, familyId, issuedAt, expiresAt). */
function tokenOf(
  jti: string,
  [userId, familyId, issuedAt, expiresAt]: readonly string[],
): OutstandingRefresh {
  return {
    jti,
    userId: Number(userId),
    familyId: familyId as string,
    issuedAt: Number(issuedAt),
    expiresAt: Number(expiresAt),
  };
}

/** SPEND's and ROTATE's replies to a RotateResult (a SpendResult when no successor was asked). */
function toRotateResult(jti: string, reply: readonly string[]): RotateResult {
  const [status, ...rest] = reply;
  if (status === 'spent' || status === 'reused') return { status, token: tokenOf(jti, rest) };
  if (status === 'replayed') {
    const token = tokenOf(jti, rest);
    const [next, issuedAt, expiresAt] = rest.slice(4);
    const successor = tokenOf(next as string, [rest[0], rest[1], issuedAt, expiresAt] as string[]);
    return { status, token, successor };
  }
  if (status === 'revoked') return { status };
  // The client gave up on this command long ago (503); nothing was changed.
  if (status === 'late') throw new StoreUnavailable('jwtState');
  if (status === 'jti') throw new UniqueViolation('jti');
  return { status: 'unknown' };
}

/** Redis's TIME, as a script so that it can be routed by a key (see `redisNow`). */
const TIME = luaScript("return redis.call('TIME')");

/**
 * The JwtStateStore in Redis: outstanding refresh tokens, the blacklist and revoked families,
 * each kept until its expiry by a TTL. `spend` is one Lua script that checks the blacklist, the
 * family and the spent mark and sets the mark (ROTATE also records the successor), so of
 * concurrent refreshes on any number of instances exactly one wins, and a replay seen anywhere is
 * reported as `reused` (or `replayed` inside the grace window). A spend carries Redis's clock at
 * sending (sampled, clock.ts) and the script refuses to run late (see SPEND_MAX_LAG_MS): a spend whose client already answered
 * 503 cannot land afterwards and make the client's retry look like theft. With `replicas` > 0
 * (behind sentinels, or a cluster with replicas), a spend or a revocation is answered only once
 * that many replicas have it, so a failover cannot bring back a spent or revoked token.
 *
 * @example
 * const jwt = redisJwtStateStore(client, 'gatehouse:');
 * const result = await jwt.spend(payload.jti, now);
 * if (result.status === 'reused') await jwt.revokeFamily(result.token.familyId, now);
 */
export function redisJwtStateStore(client: RedisClient, prefix: string, replicas = 0): JwtStateStore {
  const P = taggedBase(prefix, 'jwt');
  const keys = [P];
  /**
   * Redis's clock now (ms): what a spend's script measures its own lateness against. Sampled by a
   * script routed like the spend's, so in a cluster it is the clock of the node that runs it.
   */
  const redisNow = sampledClock(async () => {
    const [seconds, micros] = (await TIME.run(client, keys, [])) as [string, string];
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  });
  return redisGuard('jwtState', {
    async recordOutstanding(t) {
      const reply = await RECORD.run(client, keys, [
        t.jti,
        t.userId,
        t.familyId,
        t.issuedAt,
        t.expiresAt,
        ttlMs(t.expiresAt, t.issuedAt),
        t.issuedAt - KEEP_EXPIRED_MS,
      ]);
      if (reply !== 'ok') throw new UniqueViolation(String(reply));
    },
    async spend(jti, now) {
      const sent = await redisNow();
      const reply = await SPEND.run(client, keys, [jti, now, sent, SPEND_MAX_LAG_MS], replicas);
      return toRotateResult(jti, reply as string[]) as SpendResult;
    },
    async rotate(jti, now, next, graceMs) {
      const sent = await redisNow();
      const ttl = ttlMs(next.expiresAt, next.issuedAt);
      const args = [jti, now, sent, SPEND_MAX_LAG_MS, next.jti, next.issuedAt, next.expiresAt, ttl, graceMs];
      return toRotateResult(jti, (await ROTATE.run(client, keys, args, replicas)) as string[]);
    },
    async refreshState(jti) {
      return (await REFRESH_STATE.run(client, keys, [jti])) as RefreshState;
    },
    async blacklist(jti, expiresAt, now) {
      await BLACKLIST.run(client, keys, [jti, expiresAt, ttlMs(expiresAt, now)], replicas);
    },
    async isBlacklisted(jti) {
      return (await client.exists(`${P}blacklist:${jti}`)) === 1;
    },
    async revokeFamily(familyId, now) {
      await REVOKE_FAMILY.run(client, keys, [familyId, now, KEEP_EXPIRED_MS], replicas);
    },
    async isFamilyRevoked(familyId) {
      return (await client.hexists(`${P}family:${familyId}`, 'revokedAt')) === 1;
    },
    async revokeAllForUser(userId, now) {
      return Number(await REVOKE_ALL_FOR_USER.run(client, keys, [userId, now], replicas));
    },
    async deleteExpired(now, limit) {
      return Number(await DELETE_EXPIRED.run(client, keys, [now, limit]));
    },
  } satisfies JwtStateStore);
}
