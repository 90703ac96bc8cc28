import type { UserRecord } from '../stores/types.js';
import type { AuthRequest } from './request.js';

/**
 * What each scheme's credential is, by scheme name. Empty here: each scheme adds its own entry
 * by declaration merging (`schemes/session/scheme.ts` adds `session: SessionHandle`), so this
 * layer names no scheme, and an application's own Authenticator can add one the same way:
 *
 * @example
 * declare module 'gatehouse-auth' {
 *   interface CredentialTypes { apiKey: { keyId: string } }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging, one entry per scheme
export interface CredentialTypes {}

/** The name of a scheme that registered its credential in {@link CredentialTypes}. */
export type CredentialScheme = keyof CredentialTypes & string;

/** Who is calling, as the scheme `S` established it. */
export interface AuthResultOf<S extends CredentialScheme> {
  user: UserRecord;
  /** The credential: the session handle, the API token row, the JWT claims, null for Basic. */
  auth: CredentialTypes[S];
  /** Which scheme answered. */
  scheme: S;
  /**
   * The scopes the credential is limited to, set by the scheme that answered (an API token made
   * with scopes); absent when it acts with the user's full rights.
   */
  scopes?: readonly string[];
}

/**
 * Who is calling: one member per scheme, so `if (auth.scheme === 'session')` narrows `auth.auth`
 * to the SessionHandle without a cast.
 */
export type AuthResult = { [S in CredentialScheme]: AuthResultOf<S> }[CredentialScheme];

/**
 * One authentication scheme (DRF's BaseAuthentication), and the owner of its credential's
 * lifecycle. `authenticate` returns null when the request carries no credential for this scheme
 * (the next one may try), and throws AuthenticationFailed when it does and the credential is
 * wrong. The pipeline hands each result back to the scheme that made it for `isLive` and `finish`.
 */
export interface Authenticator<R extends AuthResult = AuthResult> {
  readonly name: string;
  authenticate(req: AuthRequest): Promise<R | null>;
  /** The WWW-Authenticate value for a 401, or null (then an unauthenticated request gets 403). */
  challenge(req: AuthRequest): string | null;
  /**
   * Whether the credential is still live now: its user not deactivated or logged out everywhere
   * since, and its own row (a session, an API token) not revoked meanwhile. A handler that mints
   * a credential asks this once the new one is stored. Without it a result is never live, so such
   * a handler refuses rather than trust a credential it cannot re-check.
   */
  isLive?(result: R): Promise<boolean>;
  /**
   * Commits what the handler changed on the credential (the session bag), once, after the
   * handler and before the response leaves. Without it there is nothing to commit.
   */
  finish?(result: R): Promise<void>;
}
