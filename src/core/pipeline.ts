import { type AuthenticationFailed, NotAuthenticated, PermissionDenied } from './errors.js';
import type { Permission } from './permissions.js';
import type { AuthRequest } from './request.js';
import type { Authenticator, AuthResult } from './scheme.js';

/**
 * Tries schemes in order and stops at the first that answers (DRF's
 * DEFAULT_AUTHENTICATION_CLASSES).
 */
export class Pipeline {
  readonly schemes: readonly Authenticator[];
  constructor(schemes: readonly Authenticator[]) {
    this.schemes = schemes;
  }

  async authenticate(req: AuthRequest): Promise<AuthResult | null> {
    for (const scheme of this.schemes) {
      const result = await scheme.authenticate(req);
      if (result) return result;
    }
    return null;
  }

  /**
   * Whether the credential of `result` is still live now, as the scheme that made it decides
   * (see {@link Authenticator.isLive}); false for a result none of these schemes made.
   *
   * @example
   * if (!(await pipeline.isLive(auth))) { await undo(issued); throw new AuthenticationFailed(); }
   */
  async isLive(result: AuthResult): Promise<boolean> {
    const scheme = this.schemeOf(result);
    return scheme?.isLive ? scheme.isLive(result) : false;
  }

  /**
   * The one step after a handler: the scheme that made `result` commits what the handler changed
   * on its credential (a session saves its bag). Nothing for an anonymous request.
   *
   * @example
   * const res = await handler(ctx);
   * await pipeline.finish(auth);
   */
  async finish(result: AuthResult | null): Promise<void> {
    if (!result) return;
    await this.schemeOf(result)?.finish?.(result);
  }

  /** The scheme that made a result: names are unique within a pipeline. */
  private schemeOf(result: AuthResult): Authenticator | undefined {
    return this.schemes.find((s) => s.name === result.scheme);
  }

  /** The challenge of the first scheme, as DRF's get_authenticate_header does. */
  challenge(req: AuthRequest): string | null {
    const first = this.schemes[0];
    return first ? first.challenge(req) : null;
  }

  /**
   * Checks the permission; throws what DRF's permission_denied would: NotAuthenticated when no
   * scheme answered (401 with the first scheme's challenge, or 403 when it has none), else
   * PermissionDenied.
   */
  async enforce(req: AuthRequest, result: AuthResult | null, permission: Permission): Promise<void> {
    if (await permission.has(req, result)) return;
    if (!result) throw this.unauthenticated(req);
    throw new PermissionDenied(permission.message, permission.code);
  }

  /** The error for "no credentials": 401 with a challenge, or 403 when the first scheme has none. */
  unauthenticated(req: AuthRequest, error: NotAuthenticated | AuthenticationFailed = new NotAuthenticated()) {
    return withChallenge(error, this.challenge(req));
  }
}

/**
 * DRF's rule: a 401 must carry WWW-Authenticate; when the first scheme has no challenge
 * (session), the response is coerced to 403 with the same body.
 */
export function withChallenge(
  error: NotAuthenticated | AuthenticationFailed,
  challenge: string | null,
): NotAuthenticated | AuthenticationFailed | PermissionDenied {
  if (challenge) {
    error.headers['www-authenticate'] = challenge;
    return error;
  }
  return new PermissionDenied(error.message, error.code);
}
