import {
  AuthenticationFailed,
  GatehouseError,
  HashingBusy,
  NotAuthenticated,
  PasswordTooLong,
  ServiceUnavailable,
  StoreUnavailable,
  ValidationError,
} from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { withChallenge } from '../core/pipeline.js';
import type { HttpResponse } from './types.js';

/** The body of the 500 that reveals nothing, for an error nobody recognised (logged, never shown). */
export const SERVER_ERROR_BODY = Object.freeze({ detail: 'A server error occurred.', code: 'server_error' });

/**
 * Turns anything a handler threw into a response. Gatehouse errors keep their status and body;
 * a credential a scheme refused stays a 401 with that scheme's challenge, other 401s get the
 * route's challenge or become 403 (DRF's rule, docs/jwt.md "401 or 403"); a store that is down, or a hashing
 * queue that is full, is 503 (fail closed); anything else is a logged 500 that reveals nothing.
 */
export function errorResponse(err: unknown, challenge: string | null, logger: Logger): HttpResponse {
  let error: GatehouseError;
  if (err instanceof AuthenticationFailed || err instanceof NotAuthenticated) {
    error = withChallenge(err, challenge);
  } else if (err instanceof GatehouseError) {
    error = err;
  } else if (err instanceof PasswordTooLong) {
    // A path that hashes without running the validators first still answers 400, not 500.
    error = new ValidationError({ password: [err.message] });
  } else if (err instanceof StoreUnavailable || err instanceof HashingBusy) {
    logger.error({ err }, 'refusing request: a dependency is unavailable');
    error = new ServiceUnavailable();
  } else {
    logger.error({ err }, 'unhandled error');
    return { status: 500, body: SERVER_ERROR_BODY };
  }
  return { status: error.status, headers: { ...error.headers }, body: error.body() };
}
