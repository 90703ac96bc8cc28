import { describe, expect, it } from 'vitest';
import {
  AuthenticationFailed,
  CsrfFailed,
  MethodNotAllowed,
  NotAuthenticated,
  NotFound,
  ParseError,
  PermissionDenied,
  ServiceUnavailable,
  Throttled,
  TokenNotValid,
  ValidationError,
} from './errors.js';

describe('error catalogue', () => {
  it.each([
    [new AuthenticationFailed(), 401, 'authentication_failed', 'Incorrect authentication credentials.'],
    [new NotAuthenticated(), 401, 'not_authenticated', 'Authentication credentials were not provided.'],
    [new PermissionDenied(), 403, 'permission_denied', 'You do not have permission to perform this action.'],
    [new Throttled(1), 429, 'throttled', 'Request was throttled. Expected available in 1 second.'],
    [new Throttled(41.2), 429, 'throttled', 'Request was throttled. Expected available in 42 seconds.'],
    [
      new ServiceUnavailable(),
      503,
      'service_unavailable',
      'Service temporarily unavailable, try again later.',
    ],
    [new NotFound(), 404, 'not_found', 'Not found.'],
    [new MethodNotAllowed('PUT'), 405, 'method_not_allowed', 'Method "PUT" not allowed.'],
    [new ParseError('JSON parse error - x'), 400, 'parse_error', 'JSON parse error - x'],
    [new TokenNotValid(), 401, 'token_not_valid', 'Token is invalid or expired'],
    [
      new CsrfFailed('Origin checking failed.', 'csrf_origin'),
      403,
      'csrf_origin',
      'CSRF Failed: Origin checking failed.',
    ],
  ])('%s has status %i, code %s and DRF’s detail', (err, status, code, detail) => {
    expect(err.status).toBe(status);
    expect(err.body()).toEqual({ detail, code });
  });

  it('Throttled carries Retry-After in whole seconds', () => {
    expect(new Throttled(2.1).headers['retry-after']).toBe('3');
  });

  it('TokenNotValid can carry simplejwt’s messages list', () => {
    const messages = [
      { token_class: 'AccessToken', token_type: 'access', message: 'Token is invalid or expired' },
    ];
    expect(new TokenNotValid('Given token not valid for any token type', messages).body()).toEqual({
      detail: 'Given token not valid for any token type',
      code: 'token_not_valid',
      messages,
    });
  });

  it('ValidationError answers with the field map itself', () => {
    const err = new ValidationError({ username: ['This field is required.'] });
    expect(err.status).toBe(400);
    expect(err.body()).toEqual({ username: ['This field is required.'] });
  });
});
