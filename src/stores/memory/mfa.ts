import { UniqueViolation } from '../../core/errors.js';
import type { MfaChallengeRecord, MfaStore, PasskeyRecord, TotpRecord, UserId } from '../types.js';

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
  const passkeys = new Map<string, PasskeyRecord>();
  const copy = (p: PasskeyRecord): PasskeyRecord => ({ ...p, transports: [...p.transports] });

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
    async addPasskey(record) {
      if (passkeys.has(record.id)) throw new UniqueViolation('id');
      passkeys.set(record.id, copy(record));
    },
    async getPasskey(id) {
      const row = passkeys.get(id);
      return row ? copy(row) : null;
    },
    async listPasskeys(userId) {
      const rows = [...passkeys.values()].filter((p) => p.userId === userId);
      return rows.sort((a, b) => a.createdAt - b.createdAt).map(copy);
    },
    async usePasskey(id, expected, counter, now) {
      const row = passkeys.get(id);
      if (!row || row.counter !== expected) return false;
      row.counter = counter;
      row.lastUsedAt = now;
      return true;
    },
    async deletePasskey(userId, id) {
      const row = passkeys.get(id);
      return row?.userId === userId && passkeys.delete(id);
    },
    async deleteForUser(userId) {
      const had = totp.delete(userId);
      for (const [id, p] of passkeys) if (p.userId === userId) passkeys.delete(id);
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
