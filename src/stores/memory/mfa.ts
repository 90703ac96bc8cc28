import type { MfaChallengeRecord, MfaStore, TotpRecord, UserId } from '../types.js';

/**
 * An MfaStore held in process memory. Every check-and-change runs without an await in between,
 * so a code or a challenge is spent once even under concurrent requests.
 *
 * @example
 * const mfa = memoryMfaStore();
 * await mfa.useTotpStep(user.id, 58_000_000, now + 90_000); // true, then false
 */
export function memoryMfaStore(): MfaStore {
  const totp = new Map<UserId, TotpRecord>();
  const codes = new Map<UserId, Set<string>>();
  /** `${userId}:${step}` → when it may be forgotten. */
  const steps = new Map<string, number>();
  const challenges = new Map<string, MfaChallengeRecord>();

  return {
    async getTotp(userId) {
      const row = totp.get(userId);
      return row ? { ...row } : null;
    },
    async setTotp(record) {
      totp.set(record.userId, { ...record });
    },
    async confirmTotp(userId) {
      const row = totp.get(userId);
      if (!row || row.confirmed) return false;
      row.confirmed = true;
      return true;
    },
    async replaceRecoveryCodes(userId, digests) {
      codes.set(userId, new Set(digests));
    },
    async useRecoveryCode(userId, digest) {
      return codes.get(userId)?.delete(digest) ?? false;
    },
    async countRecoveryCodes(userId) {
      return codes.get(userId)?.size ?? 0;
    },
    async useTotpStep(userId, step, expiresAt) {
      const key = `${userId}:${step}`;
      if (steps.has(key)) return false;
      steps.set(key, expiresAt);
      return true;
    },
    async createChallenge(challenge) {
      challenges.set(challenge.digest, { ...challenge });
    },
    async takeChallenge(digest, now) {
      const row = challenges.get(digest);
      if (!row) return null;
      challenges.delete(digest);
      return row.expiresAt > now ? row : null;
    },
    async deleteForUser(userId) {
      const had = totp.delete(userId);
      codes.delete(userId);
      for (const key of steps.keys()) if (key.startsWith(`${userId}:`)) steps.delete(key);
      for (const [digest, c] of challenges) if (c.userId === userId) challenges.delete(digest);
      return had;
    },
    async deleteExpired(now, limit) {
      let n = 0;
      for (const [key, expiresAt] of steps) {
        if (n >= limit) return n;
        if (expiresAt <= now && steps.delete(key)) n++;
      }
      for (const [digest, c] of challenges) {
        if (n >= limit) return n;
        if (c.expiresAt <= now && challenges.delete(digest)) n++;
      }
      return n;
    },
  };
}
