import type { UserRecord } from '../stores/types.js';
import type { AuthRequest } from './request.js';

/** Who is calling, as a scheme established it. */
export interface AuthResult<A = unknown> {
  user: UserRecord;
  /** What the credential was: the API token row, the JWT payload, the session row. */
  auth: A;
  /** Which scheme answered: 'session' | 'token' | 'jwt' | 'basic' | a custom name. */
  scheme: string;
}

/**
 * One authentication scheme (DRF's BaseAuthentication). `authenticate` returns null when the
 * request carries no credential for this scheme (the next one may try), and throws
 * AuthenticationFailed when it does and the credential is wrong.
 */
export interface Authenticator {
  readonly name: string;
  authenticate(req: AuthRequest): Promise<AuthResult | null>;
  /** The WWW-Authenticate value for a 401, or null (then an unauthenticated request gets 403). */
  challenge(req: AuthRequest): string | null;
}
