import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { audit } from '../core/audit.js';
import type { Context } from '../core/context.js';
import { issuedBeforeCutoff } from '../core/credentials.js';
import { endedSince } from '../core/ended-since.js';
import {
  AuthenticationFailed,
  MfaFailed,
  MfaRequired,
  PasskeyFailed,
  ValidationError,
} from '../core/errors.js';
import { secondFactors } from '../core/mfa.js';
import type { AuthRequest } from '../core/request.js';
import { checkPassword } from '../core/throttle/password-check.js';
import type { Throttle } from '../core/throttle/throttle.js';
import { normalizeUsername, usernameInputProblem } from '../core/username.js';
import type { UserId, UserRecord } from '../stores/types.js';
import type { Passkeys } from './mfa/passkeys.js';
import type { Mfa } from './mfa/service.js';

/** DRF's AuthTokenSerializer message: a wrong password and an inactive user read the same. */
export const LOGIN_FAILED = 'Unable to log in with provided credentials.';
/** simplejwt's TokenObtainSerializer message, for the same two cases. */
export const NO_ACTIVE_ACCOUNT = 'No active account found with the given credentials';

/** DRF's refusal (session login, `/api-token-auth/`): 400 with `non_field_errors`. */
export const loginFailed = (): Error => new ValidationError({ non_field_errors: [LOGIN_FAILED] });
/** simplejwt's refusal (`/api/token/`, `/api/token/sliding/`): 401 `no_active_account`. */
export const noActiveAccount = (): Error => new AuthenticationFailed(NO_ACTIVE_ACCOUNT, 'no_active_account');

/** What a sign-in needs, built once by the composition root. */
export interface SignInDeps {
  readonly ctx: Context;
  readonly throttle: Throttle;
  readonly mfa: Mfa;
  /** Passkeys, when configured: a user's passkey is then a second factor, and a second step. */
  readonly passkeys: Passkeys | null;
}

/** A credential just stored for a user, and how to take it back if the sign-in is refused after all. */
export interface Issued<C> {
  readonly credential: C;
  /** Removes the stored credential (a no-op when nothing outlives the response). */
  undo(): Promise<void>;
  /** Ids for the `login_succeeded` audit record (never a secret). */
  readonly detail?: Record<string, unknown>;
}

/** What every sign-in attempt says, whichever step it is. */
interface Attempt<C> {
  readonly req: AuthRequest;
  /**
   * The route's path: an `mfa_token` made here is taken only here, so the second step of a
   * session login cannot be finished on the token route (docs/mfa.md).
   */
  readonly route: string;
  /** The scheme named in the audit trail: `session`, `token`, `jwt`. */
  readonly scheme: string;
  /** The error to throw on every refusal; each wire protocol has its own. */
  readonly refused: () => Error;
  /** Stores the credential for a user whose password was right (called once at most). */
  readonly issue: (user: UserRecord) => Promise<Issued<C>>;
  /** Whether to record `last_login` (Django's login() does; DRF's token obtain does not). */
  readonly updateLastLogin: boolean;
}

/** One username-and-password sign-in, as a route hands it over. */
export interface PasswordAttempt<C> extends Attempt<C> {
  readonly username: string;
  readonly password: string;
}

/** The second step of a sign-in: the `mfa_token` of the first and a TOTP or recovery code, or a passkey. */
export interface SecondStepAttempt<C> extends Attempt<C> {
  readonly mfaToken: string;
  readonly code?: string;
  /** A passkey assertion of the same user, in place of a code. */
  readonly passkey?: AuthenticationResponseJSON;
}

/** A passwordless sign-in: the user a verified passkey assertion names (both factors at once). */
export interface PasskeyAttempt<C> extends Attempt<C> {
  readonly userId: UserId;
}

/** A sign-in that went through: the user (with `lastLogin` up to date) and what was issued. */
export interface SignedIn<C> {
  readonly user: UserRecord;
  readonly credential: C;
}

/** The one way in with a password: every login route goes through it. */
export interface SignIn {
  /** Throws MfaRequired (401 with an `mfa_token`) for a user with a second factor: nothing is issued. */
  withPassword<C>(attempt: PasswordAttempt<C>): Promise<SignedIn<C>>;
  /** Finishes a sign-in that answered `mfa_required`, on the same route. */
  withSecondFactor<C>(attempt: SecondStepAttempt<C>): Promise<SignedIn<C>>;
  /** Finishes a passkey sign-in (the assertion already verified): the same tail as a password's. */
  withPasskey<C>(attempt: PasskeyAttempt<C>): Promise<SignedIn<C>>;
}

/**
 * The sign-in service: throttle, password check, back-off, active check, the second factor,
 * issue, the "ended since" re-check, last login and the audit trail, in that order and in one
 * place, so a login route only says what it issues and how it refuses, and no route can hand
 * out a credential for the password alone when a second factor is on.
 *
 * @example
 * const signIn = createSignIn({ ctx, throttle, mfa, passkeys });
 * const { user, credential } = await signIn.withPassword({
 *   req, route: '/api-token-auth/', username, password, scheme: 'token', refused: loginFailed, updateLastLogin: false,
 *   issue: async (user) => {
 *     const issued = await issueApiToken(ctx, user, { via: 'obtain', req });
 *     return { credential: issued, undo: () => revoke(issued) };
 *   },
 * });
 */
export function createSignIn({ ctx, throttle, mfa, passkeys }: SignInDeps): SignIn {
  /** Whether the second step is right: a code, or a passkey assertion of this very user. */
  const secondFactorHolds = async <C>(a: SecondStepAttempt<C>, user: UserRecord): Promise<boolean> => {
    if (a.passkey === undefined) return mfa.checkCode(user, a.code ?? '', a.req, a.scheme);
    if (passkeys === null) return false;
    // A refused assertion is audited there (passkey_failed, passkey_cloned); here it is a wrong step.
    const signer = await passkeys.authenticate(a.passkey, a.req).catch((err: unknown) => {
      if (err instanceof PasskeyFailed) return null;
      throw err;
    });
    if (signer === user.id) return true;
    await audit(ctx, a.req, 'mfa_failed', { user, scheme: a.scheme, detail: { method: 'passkey' } });
    return false;
  };

  const refuse = async <C>(a: Attempt<C>, input: Parameters<typeof audit>[3]): Promise<never> => {
    await audit(ctx, a.req, 'login_failed', { ...input, scheme: a.scheme });
    throw a.refused();
  };

  return {
    async withPassword(a) {
      // One form for the throttle key, the lookup and the audit trail (see normalizeUsername); a
      // name no user can have (too long, NUL) is refused before any of them sees it.
      const username = normalizeUsername(a.username);
      const problem = usernameInputProblem(username);
      if (problem !== null) throw new ValidationError({ username: [problem] });
      // Throttled per ip and per (ip, username) before any password is hashed; a refusal is
      // audited there (the step Basic shares).
      const { user, refusal } = await checkPassword(ctx, throttle, { ...a, username });
      if (refusal !== null) throw a.refused();
      // A confirmed TOTP or a passkey: the password was one factor, the client must show another.
      const methods = await secondFactors(ctx, user.id);
      if (methods.length > 0) {
        const token = await mfa.challenge(user.id, a.route);
        await audit(ctx, a.req, 'mfa_challenged', { user, scheme: a.scheme });
        throw new MfaRequired(token, methods);
      }
      return complete(a, user, {});
    },

    async withSecondFactor(a) {
      const { userId, issuedAt } = await mfa.redeem(a.mfaToken, a.route);
      const user = await ctx.stores.users.findById(userId);
      // Deactivated (or removed), or its credentials ended (a password change, logout
      // everywhere) since the password step: the half-done sign-in ends with them.
      if (!user?.isActive || issuedBeforeCutoff(user, issuedAt)) throw new MfaFailed('mfa_token_invalid');
      if (!(await secondFactorHolds(a, user))) {
        // The token is spent; a fresh one lets the user retype the code, not the password.
        throw new MfaFailed('mfa_failed', await mfa.challenge(user.id, a.route));
      }
      return complete(a, user, { mfa: true });
    },

    async withPasskey(a) {
      const user = await ctx.stores.users.findById(a.userId);
      if (!user?.isActive) return refuse(a, { user, detail: { reason: 'inactive', method: 'passkey' } });
      return complete(a, user, { mfa: true, method: 'passkey' });
    },
  };

  /** Issues, re-checks, records the login and audits it: the tail every way in shares. */
  async function complete<C>(
    a: Attempt<C>,
    user: UserRecord,
    extra: Record<string, unknown>,
  ): Promise<SignedIn<C>> {
    const issued = await a.issue(user);
    // A logout-everywhere or password change that landed during this login ends it too.
    if (await endedSince(ctx, user)) {
      await issued.undo();
      return refuse(a, { user, detail: { reason: 'credentials_ended' } });
    }
    if (a.updateLastLogin) {
      const now = ctx.clock.now();
      await ctx.stores.users.setLastLogin(user.id, now);
      user.lastLogin = now;
    }
    // Audited once it is certain: a login refused by the re-check never reads as a success.
    const detail = { ...issued.detail, ...extra };
    await audit(ctx, a.req, 'login_succeeded', { user, scheme: a.scheme, detail });
    return { user, credential: issued.credential };
  }
}
