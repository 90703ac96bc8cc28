import { type AuditEventName, audit } from '../../core/audit.js';
import type { Context } from '../../core/context.js';
import { Conflict, MfaFailed, ValidationError } from '../../core/errors.js';
import { type MfaMethod, secondFactors } from '../../core/mfa.js';
import type { AuthRequest } from '../../core/request.js';
import type { Throttle } from '../../core/throttle/throttle.js';
import { randomSecret, sha256Hex } from '../../crypto/random.js';
import { createSecretBox } from '../../crypto/secret-box.js';
import type { UserId, UserRecord } from '../../stores/types.js';
import { type PasskeyView, passkeyView } from './passkeys.js';
import { newRecoveryCodes, recoveryCodeDigest } from './recovery-codes.js';
import { isTotpCode, newTotpSecret, stepExpiry, totpProvisioning, totpStep } from './totp.js';

export { MFA_METHODS, type MfaMethod } from '../../core/mfa.js';

/** A factor named in the audit trail: recovery codes come and go with TOTP. */
const isFactor = (m: MfaMethod): boolean => m !== 'recovery_code';

/** What `GET /api/auth/mfa/` shows. */
export interface MfaStatus {
  totp: boolean;
  passkeys: PasskeyView[];
  recovery_codes_left: number;
}

/** What TOTP setup hands the user: the secret three ways (typed, as a link, as a QR code). */
export interface TotpSetup {
  secret: string;
  otpauth_url: string;
  qr_svg: string;
}

/** Second factors of one gatehouse (docs/mfa.md): made once by the composition root. */
export interface Mfa {
  status(userId: UserId): Promise<MfaStatus>;
  /** Starts (or restarts) TOTP setup; refused while a confirmed TOTP is on. */
  setupTotp(user: UserRecord): Promise<TotpSetup>;
  /** Turns TOTP on with a first right code; the recovery codes, shown once. */
  confirmTotp(user: UserRecord, code: string, req: AuthRequest, scheme: string): Promise<string[]>;
  /** Turns the user's every second factor off, at their own request; false when none was on. */
  disable(user: UserRecord, req: AuthRequest, scheme: string): Promise<boolean>;
  /** The operator's `gatehouse mfa reset`: the same, audited as `mfa_reset` (a lost phone). */
  reset(user: UserRecord): Promise<boolean>;
  /** A new set of recovery codes; the old set dies. */
  regenerateRecoveryCodes(user: UserRecord, req: AuthRequest, scheme: string): Promise<string[]>;
  /** Whether `code` (TOTP or recovery) is right for the user: throttled, spent once, audited. */
  checkCode(user: UserRecord, code: string, req: AuthRequest, scheme: string | null): Promise<boolean>;
  /** A single-use `mfa_token` for the second step of a sign-in on route `purpose`. */
  challenge(userId: UserId, purpose: string): Promise<string>;
  /**
   * The user a live `mfa_token` was made for on `purpose`, and when it was made, spending it;
   * throws MfaFailed otherwise.
   */
  redeem(token: string, purpose: string): Promise<{ userId: UserId; issuedAt: number }>;
}

/** Longest code field accepted: a recovery code with some spaces, never megabytes. */
export const MAX_CODE_LENGTH = 64;

const WRONG_CODE = 'The code is not valid: enter the current six-digit code from the authenticator app.';

/**
 * The second-factor service over the MfaStore: TOTP secrets sealed with a key derived from the
 * secret key (the fallbacks open older ones), recovery codes stored as digests, each TOTP step
 * and each code accepted once, codes throttled and backed off like passwords, every step audited.
 *
 * @example
 * const mfa = createMfa({ ctx, throttle });
 * const setup = await mfa.setupTotp(user); // show setup.qr_svg, then
 * const codes = await mfa.confirmTotp(user, '492039', req, 'session');
 */
export function createMfa({ ctx, throttle }: { ctx: Context; throttle: Throttle }): Mfa {
  const { stores, clock, config } = ctx;
  const box = createSecretBox([config.secretKey, ...config.secretKeyFallbacks], 'mfa.totp');
  const log = (
    req: AuthRequest | null,
    event: AuditEventName,
    user: UserRecord,
    scheme: string | null,
    detail = {},
  ) => audit(ctx, req, event, { user, scheme, detail });

  /** The right step for the user's TOTP at this instant, recorded; null when wrong or replayed. */
  const acceptTotp = async (userId: UserId, sealed: string, code: string): Promise<boolean> => {
    const secret = box.open(sealed);
    if (secret === null) {
      ctx.logger.error({ userId }, 'a TOTP secret does not open with the secret key or its fallbacks');
      return false;
    }
    const step = await totpStep(secret, code, clock.now());
    return step !== null && stores.mfa.useTotpStep(userId, step, stepExpiry(step));
  };

  const issueCodes = async (user: UserRecord): Promise<string[]> => {
    const { codes, digests } = newRecoveryCodes();
    await stores.mfa.replaceRecoveryCodes(user.id, digests, clock.now());
    return codes;
  };

  return {
    async status(userId) {
      const totp = await stores.mfa.getTotp(userId);
      const on = totp?.confirmed === true;
      const passkeys = (await stores.mfa.listPasskeys(userId)).map(passkeyView);
      return {
        totp: on,
        passkeys,
        recovery_codes_left: on ? await stores.mfa.countRecoveryCodes(userId) : 0,
      };
    },

    async setupTotp(user) {
      const current = await stores.mfa.getTotp(user.id);
      if (current?.confirmed) {
        throw new Conflict(
          'TOTP is already on: disable it first to set up another authenticator.',
          'mfa_already_enabled',
        );
      }
      const secret = newTotpSecret();
      await stores.mfa.setTotp({
        userId: user.id,
        secret: box.seal(secret),
        confirmed: false,
        createdAt: clock.now(),
      });
      const { otpauthUrl, qrSvg } = await totpProvisioning(secret, config.mfa.issuer, user.username);
      return { secret, otpauth_url: otpauthUrl, qr_svg: qrSvg };
    },

    async confirmTotp(user, code, req, scheme) {
      const pending = await stores.mfa.getTotp(user.id);
      if (!pending || pending.confirmed) {
        throw new ValidationError({
          code: ['There is no TOTP setup to confirm: start one at /api/auth/mfa/totp/setup/.'],
        });
      }
      const gate = await throttle.attempt(req, 'mfa', String(user.id));
      if (!(await acceptTotp(user.id, pending.secret, code.replace(/\s/g, '')))) {
        await gate.fail();
        throw new ValidationError({ code: [WRONG_CODE] });
      }
      await gate.pass();
      // Two confirmations racing: one turns it on and shows codes; the other is refused.
      if (!(await stores.mfa.confirmTotp(user.id)))
        throw new Conflict('TOTP is already on.', 'mfa_already_enabled');
      const codes = await issueCodes(user);
      await log(req, 'mfa_enabled', user, scheme, { method: 'totp' });
      return codes;
    },

    async disable(user, req, scheme) {
      const had = await secondFactors(ctx, user.id);
      await stores.mfa.deleteForUser(user.id);
      if (had.length) await log(req, 'mfa_disabled', user, scheme, { had: had.filter(isFactor) });
      return had.length > 0;
    },

    async reset(user) {
      const had = await secondFactors(ctx, user.id);
      await stores.mfa.deleteForUser(user.id);
      // Recorded even when nothing was on: an operator acted on the account.
      await log(null, 'mfa_reset', user, null, { via: 'cli', had: had.filter(isFactor) });
      return had.length > 0;
    },

    async regenerateRecoveryCodes(user, req, scheme) {
      const totp = await stores.mfa.getTotp(user.id);
      if (!totp?.confirmed) {
        throw new Conflict('There is no second factor to recover: turn TOTP on first.', 'mfa_not_enabled');
      }
      const codes = await issueCodes(user);
      await log(req, 'recovery_codes_regenerated', user, scheme);
      return codes;
    },

    async checkCode(user, raw, req, scheme) {
      const code = raw.trim();
      const gate = await throttle.attempt(req, 'mfa', String(user.id));
      const totp = await stores.mfa.getTotp(user.id);
      let method: 'totp' | 'recovery_code' | null = null;
      if (totp?.confirmed) {
        const compact = code.replace(/\s/g, '');
        if (isTotpCode(compact)) {
          if (await acceptTotp(user.id, totp.secret, compact)) method = 'totp';
        } else if (await stores.mfa.useRecoveryCode(user.id, recoveryCodeDigest(code))) {
          method = 'recovery_code';
        }
      }
      if (method === null) {
        await gate.fail();
        await log(req, 'mfa_failed', user, scheme);
        return false;
      }
      await gate.pass();
      if (method === 'recovery_code') {
        await log(req, 'recovery_code_used', user, scheme, {
          left: await stores.mfa.countRecoveryCodes(user.id),
        });
      }
      return true;
    },

    async challenge(userId, purpose) {
      const token = randomSecret();
      const expiresAt = clock.now() + config.mfa.challengeTtl * 1000;
      await stores.mfa.createChallenge({ digest: sha256Hex(token), userId, purpose, expiresAt });
      return token;
    },

    async redeem(token, purpose) {
      const found = await stores.mfa.takeChallenge(sha256Hex(token), clock.now());
      // A token made on another route is spent all the same: it was shown where it does not belong.
      if (!found || found.purpose !== purpose) throw new MfaFailed('mfa_token_invalid');
      return { userId: found.userId, issuedAt: found.expiresAt - config.mfa.challengeTtl * 1000 };
    },
  };
}
