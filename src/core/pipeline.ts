import {
  AuthenticationFailed,
  GatehouseError,
  NotAuthenticated,
  PermissionDenied,
  StoreUnavailable,
} from './errors.js';
import { type Metrics, NO_METRICS } from './metrics.js';
import type { Permission } from './permissions.js';
import type { AuthRequest } from './request.js';
import type { Authenticator, AuthResult } from './scheme.js';

/**
 * Tries schemes in order and stops at the first that answers (DRF's
 * DEFAULT_AUTHENTICATION_CLASSES).
 */
export class Pipeline {
  readonly schemes: readonly Authenticator[];
  private readonly metrics: Metrics;
  constructor(schemes: readonly Authenticator[], metrics: Metrics = NO_METRICS) {
    this.schemes = schemes;
    this.metrics = metrics;
  }

  /**
   * The first scheme's result, or null when none recognised a credential. A scheme that rejects
   * the credential it was sent throws AuthenticationFailed, which leaves here carrying that
   * scheme's challenge: the answer is then a 401 the client can act on (refresh, sign in again)
   * whatever the order, a deliberate improvement on DRF (docs/jwt.md, "401 or 403").
   */
  async authenticate(req: AuthRequest): Promise<AuthResult | null> {
    for (const scheme of this.schemes) {
      let result: AuthResult | null;
      try {
        result = await scheme.authenticate(req);
      } catch (err) {
        if (err instanceof AuthenticationFailed) rejectedBy(err, scheme.challenge(req));
        this.metrics.authentication(scheme.name, outcomeOf(err));
        throw err;
      }
      if (result) {
        this.metrics.authentication(result.scheme, 'ok');
        return result;
      }
    }
    this.metrics.authentication('none', 'anonymous');
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

  /**
   * The challenge of the first scheme, as DRF's get_authenticate_header does; for a request a
   * scheme authenticated (`result`), that scheme's, so a credential refused after it was accepted
   * (revoked while the handler ran) is answered like one refused on arrival.
   */
  challenge(req: AuthRequest, result: AuthResult | null = null): string | null {
    const scheme = result ? this.schemeOf(result) : this.schemes[0];
    return scheme ? scheme.challenge(req) : null;
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

/** A failure as a metrics label: a code of the catalogue (a closed set), or one bounded value. */
function outcomeOf(err: unknown): string {
  if (err instanceof GatehouseError) return err.code;
  return err instanceof StoreUnavailable ? 'service_unavailable' : 'error';
}

/**
 * Marks a failure as the answer of the scheme whose credential it rejected, by its challenge.
 * A scheme without a challenge marks nothing: a 401 must carry WWW-Authenticate (RFC 9110).
 */
function rejectedBy(error: AuthenticationFailed, challenge: string | null): void {
  if (challenge) error.headers['www-authenticate'] = challenge;
}

/**
 * The status of an authentication failure. A failure that already carries a challenge came from
 * the scheme that rejected the credential the client sent (see {@link Pipeline.authenticate}):
 * it stays a 401 with that challenge and its full body (simplejwt's `messages` too). Otherwise
 * DRF's rule: a 401 must carry WWW-Authenticate, so it gets `challenge` (the route's, or the
 * first scheme's), and when there is none (session first) it is coerced to 403 with the same
 * detail and code.
 */
export function withChallenge(
  error: NotAuthenticated | AuthenticationFailed,
  challenge: string | null,
): NotAuthenticated | AuthenticationFailed | PermissionDenied {
  if (error.headers['www-authenticate']) return error;
  if (challenge) {
    error.headers['www-authenticate'] = challenge;
    return error;
  }
  return new PermissionDenied(error.message, error.code);
}
