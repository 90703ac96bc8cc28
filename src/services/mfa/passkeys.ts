import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { type AuditEventName, audit } from '../../core/audit.js';
import type { Context } from '../../core/context.js';
import { Conflict, PasskeyFailed, UniqueViolation } from '../../core/errors.js';
import type { AuthRequest } from '../../core/request.js';
import type { PasskeySettings } from '../../core/settings/mfa.js';
import { sha256Hex } from '../../crypto/random.js';
import type { PasskeyRecord, UserId, UserRecord } from '../../stores/types.js';

/** What `GET /api/auth/mfa/` lists of each passkey (never its key). */
export interface PasskeyView {
  id: string;
  name: string;
  created: string;
  last_used: string | null;
}

/** Passkeys (docs/mfa.md): made once by the composition root when `mfa.passkeys` is set. */
export interface Passkeys {
  list(userId: UserId): Promise<PasskeyView[]>;
  /** Options for `navigator.credentials.create()`; their challenge is stored, single-use. */
  registrationOptions(user: UserRecord): Promise<PublicKeyCredentialCreationOptionsJSON>;
  /** Verifies the browser's answer to those options and stores the passkey. */
  register(
    user: UserRecord,
    response: RegistrationResponseJSON,
    name: string,
    req: AuthRequest,
    scheme: string,
  ): Promise<PasskeyView>;
  /** Options for `navigator.credentials.get()` (any passkey of this site: no username asked). */
  authenticationOptions(): Promise<PublicKeyCredentialRequestOptionsJSON>;
  /**
   * Verifies an assertion: challenge, origin, signature, user verification, and a sign counter
   * that moved forward (else `passkey_cloned`, audited). The user it signs in.
   */
  authenticate(response: AuthenticationResponseJSON, req: AuthRequest): Promise<UserId>;
  /** Removes one of the user's passkeys; false when it has none with that id. */
  remove(user: UserRecord, id: string, req: AuthRequest, scheme: string): Promise<boolean>;
}

const REGISTER = 'passkey:register';
const LOGIN = 'passkey:login';
/** A sign-in ceremony's challenge is for whoever answers it: no user is known yet. */
const ANYONE: UserId = 0;

const INVALID = 'The passkey response does not verify: start again with new options.';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
export const passkeyView = (p: PasskeyRecord): PasskeyView => ({
  id: p.id,
  name: p.name,
  created: new Date(p.createdAt).toISOString(),
  last_used: iso(p.lastUsedAt),
});

/** The challenge a browser signed, read from its clientDataJSON; null when unreadable. */
function signedChallenge(clientDataJSON: string): string | null {
  try {
    const data: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    const challenge = (data as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === 'string' && challenge.length > 0 ? challenge : null;
  } catch {
    return null;
  }
}

/**
 * The passkey service over `@simplewebauthn/server` and the MfaStore: challenges are kept
 * server-side in the store's single-use challenges (so any instance can finish a ceremony another
 * began), user verification is preferred, and the sign counter is checked here against the stored
 * one and moved by compare-and-set, so a cloned authenticator or a replayed assertion is refused.
 *
 * @example
 * const passkeys = createPasskeys(ctx, ctx.config.mfa.passkeys);
 * const options = await passkeys.registrationOptions(user); // to navigator.credentials.create()
 */
export function createPasskeys(ctx: Context, settings: PasskeySettings): Passkeys {
  const { stores, clock, config } = ctx;
  const rpName = settings.rpName ?? config.mfa.issuer;
  const log = (
    req: AuthRequest,
    event: AuditEventName,
    user: UserRecord | null,
    scheme: string | null,
    detail = {},
  ) => audit(ctx, req, event, { user, scheme, detail });

  const remember = async (challenge: string, userId: UserId, purpose: string): Promise<void> => {
    const expiresAt = clock.now() + settings.challengeTtl * 1000;
    await stores.mfa.createChallenge({ digest: sha256Hex(challenge), userId, purpose, expiresAt });
  };
  /** Spends the challenge a response signed: true when it was live and made for this ceremony. */
  const spend = async (clientDataJSON: string, userId: UserId, purpose: string): Promise<string> => {
    const challenge = signedChallenge(clientDataJSON);
    const found =
      challenge === null ? null : await stores.mfa.takeChallenge(sha256Hex(challenge), clock.now());
    if (!found || found.purpose !== purpose || found.userId !== userId || challenge === null) {
      throw new PasskeyFailed(
        'passkey_invalid',
        'The challenge is unknown, used or expired: start again with new options.',
      );
    }
    return challenge;
  };

  return {
    async list(userId) {
      return (await stores.mfa.listPasskeys(userId)).map(passkeyView);
    },

    async registrationOptions(user) {
      const existing = await stores.mfa.listPasskeys(user.id);
      const options = await generateRegistrationOptions({
        rpName,
        rpID: settings.rpId,
        userName: user.username,
        userID: new TextEncoder().encode(String(user.id)),
        attestationType: 'none',
        // The same authenticator twice would be two rows for one key.
        excludeCredentials: existing.map((p) => ({ id: p.id, transports: transportsOf(p) })),
        // Discoverable, so sign-in needs no username; verification (PIN, biometrics) when it can.
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
        timeout: settings.challengeTtl * 1000,
      });
      await remember(options.challenge, user.id, REGISTER);
      return options;
    },

    async register(user, response, name, req, scheme) {
      const challenge = await spend(response.response.clientDataJSON, user.id, REGISTER);
      const result = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: settings.origins,
        expectedRPID: settings.rpId,
        requireUserVerification: false,
      }).catch(() => null);
      if (!result?.verified) {
        await log(req, 'passkey_failed', user, scheme, { ceremony: 'register' });
        throw new PasskeyFailed('passkey_invalid', INVALID);
      }
      const { credential } = result.registrationInfo;
      const record: PasskeyRecord = {
        id: credential.id,
        userId: user.id,
        name,
        publicKey: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: [...(credential.transports ?? [])],
        createdAt: clock.now(),
        lastUsedAt: null,
      };
      try {
        await stores.mfa.addPasskey(record);
      } catch (err) {
        if (err instanceof UniqueViolation)
          throw new Conflict('This passkey is already registered.', 'passkey_exists');
        throw err;
      }
      await log(req, 'passkey_added', user, scheme, { passkey: record.id });
      return passkeyView(record);
    },

    async authenticationOptions() {
      const options = await generateAuthenticationOptions({
        rpID: settings.rpId,
        userVerification: 'preferred',
        timeout: settings.challengeTtl * 1000,
      });
      await remember(options.challenge, ANYONE, LOGIN);
      return options;
    },

    async authenticate(response, req) {
      const challenge = await spend(response.response.clientDataJSON, ANYONE, LOGIN);
      const stored = await stores.mfa.getPasskey(response.id);
      const failed = async (reason: string, user: UserRecord | null = null): Promise<never> => {
        await log(req, 'passkey_failed', user, null, { reason, passkey: response.id });
        throw new PasskeyFailed('passkey_invalid', INVALID);
      };
      if (!stored) return failed('unknown_credential');
      const user = await stores.users.findById(stored.userId);
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: settings.origins,
        expectedRPID: settings.rpId,
        // Counter 0 turns the library's own check off: ours below knows the stored value and audits.
        credential: { id: stored.id, publicKey: Buffer.from(stored.publicKey, 'base64url'), counter: 0 },
        requireUserVerification: false,
      }).catch(() => null);
      if (!result?.verified) return failed('not_verified', user);
      const next = result.authenticationInfo.newCounter;
      // An authenticator that counts never repeats or lowers its count (WebAuthn §6.1.1); a
      // counter stuck at 0 means it does not count at all.
      const counts = stored.counter > 0 || next > 0;
      if (
        (counts && next <= stored.counter) ||
        !(await stores.mfa.usePasskey(stored.id, stored.counter, next, clock.now()))
      ) {
        await log(req, 'passkey_cloned', user, null, {
          passkey: stored.id,
          stored: stored.counter,
          received: next,
        });
        throw new PasskeyFailed(
          'passkey_cloned',
          'The passkey’s sign counter did not advance: it may have been copied. Remove it and register a new one.',
        );
      }
      return stored.userId;
    },

    async remove(user, id, req, scheme) {
      const removed = await stores.mfa.deletePasskey(user.id, id);
      if (removed) await log(req, 'passkey_removed', user, scheme, { passkey: id });
      return removed;
    },
  };
}

type Transport = NonNullable<
  Parameters<typeof generateRegistrationOptions>[0]['excludeCredentials']
>[number]['transports'];
const transportsOf = (p: PasskeyRecord): Transport => p.transports as Transport;
