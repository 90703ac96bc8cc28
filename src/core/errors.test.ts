import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import * as catalogue from './errors.js';
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

describe('every error has a stable code', () => {
  // One instance of each class the catalogue exports, with the code clients and callers match on.
  const samples: Array<[Error & { code: string }, string]> = [
    [new catalogue.AuthenticationFailed(), 'authentication_failed'],
    [new catalogue.NotAuthenticated(), 'not_authenticated'],
    [new catalogue.PermissionDenied(), 'permission_denied'],
    [new catalogue.CsrfFailed('Referer checking failed - no Referer.', 'csrf_referer'), 'csrf_referer'],
    [new catalogue.TokenNotValid(), 'token_not_valid'],
    [new catalogue.Throttled(1), 'throttled'],
    [new catalogue.ServiceUnavailable(), 'service_unavailable'],
    [new catalogue.NotFound(), 'not_found'],
    [new catalogue.MethodNotAllowed('PUT'), 'method_not_allowed'],
    [new catalogue.ParseError(), 'parse_error'],
    [new catalogue.MalformedUrl(), 'malformed_url'],
    [new catalogue.UriTooLong(), 'uri_too_long'],
    [new catalogue.PayloadTooLarge(10), 'payload_too_large'],
    [new catalogue.UnsupportedMediaType('text/plain'), 'unsupported_media_type'],
    [new catalogue.ValidationError({}), 'invalid'],
    [new catalogue.Conflict('taken'), 'conflict'],
    [new catalogue.TokenLimitReached(3), 'token_limit_reached'],
    [new catalogue.EmailNotVerified(), 'email_not_verified'],
    [new catalogue.MfaRequired('t', ['totp']), 'mfa_required'],
    [new catalogue.MfaFailed('mfa_failed', 't'), 'mfa_failed'],
    [new catalogue.PasskeyFailed('passkey_cloned', 'copied'), 'passkey_cloned'],
    [new catalogue.ReauthenticationRequired(300), 'reauthentication_required'],
    [new catalogue.ConfigError('bad'), 'invalid_config'],
    [new catalogue.StoreUnavailable('users'), 'store_unavailable'],
    [new catalogue.UniqueViolation('username'), 'unique_violation'],
    [new catalogue.HashingBusy(), 'hashing_busy'],
    [new catalogue.PasswordTooLong(4096), 'password_too_long'],
    [new catalogue.JwtKeyError('no'), 'invalid_jwt_key'],
  ];

  it.each(samples)('%s has the code %s, and its class name as name', (err, code) => {
    expect(err.code).toBe(code);
    expect(err.name).toBe(err.constructor.name);
  });

  it('covers every class the catalogue exports (a new class needs a code and a row above)', () => {
    const classes: Array<{ name: string }> = Object.values(catalogue).filter(
      (v: unknown) => typeof v === 'function' && v.prototype instanceof Error,
    );
    // GatehouseError is the base: its code is whatever the subclass passes.
    const sampled = new Set<unknown>([catalogue.GatehouseError, ...samples.map(([err]) => err.constructor)]);
    expect(classes.filter((c) => !sampled.has(c)).map((c) => c.name)).toEqual([]);
  });

  it('keeps TokenLimitReached a 403 PermissionDenied with knox’s wording', () => {
    const err = new catalogue.TokenLimitReached(3);
    expect(err).toBeInstanceOf(PermissionDenied);
    expect(err.body()).toEqual({
      detail: 'Maximum amount of tokens allowed per user exceeded (3). Revoke one to create another.',
      code: 'token_limit_reached',
    });
  });
});

describe('second-factor errors', () => {
  it('MfaRequired is a 401 with the token, the methods and its own challenge', () => {
    const err = new catalogue.MfaRequired('tok', ['totp', 'recovery_code']);
    expect(err.status).toBe(401);
    expect(err.headers['www-authenticate']).toBe(catalogue.MfaRequired.CHALLENGE);
    expect(err.body()).toMatchObject({
      code: 'mfa_required',
      mfa_token: 'tok',
      methods: ['totp', 'recovery_code'],
    });
  });

  it('MfaFailed carries a fresh token only for a wrong code', () => {
    expect(new catalogue.MfaFailed('mfa_failed', 'n').body()).toMatchObject({
      code: 'mfa_failed',
      mfa_token: 'n',
    });
    expect(new catalogue.MfaFailed('mfa_token_invalid').body()).not.toHaveProperty('mfa_token');
  });
});

describe('ConfigError', () => {
  it('is built from its issues: a heading and a line per issue', () => {
    const err = new catalogue.ConfigError([
      { path: 'jwt.signingKey', message: 'expected a private key' },
      { path: '', message: 'unknown key "x"' },
    ]);
    expect(err.message).toBe(
      'invalid gatehouse config:\n  jwt.signingKey: expected a private key\n  unknown key "x"',
    );
    expect(err.issues).toEqual([
      { path: 'jwt.signingKey', message: 'expected a private key' },
      { path: '', message: 'unknown key "x"' },
    ]);
  });

  it('without a heading, or from a plain string, is the issues’ own lines', () => {
    const file = new catalogue.ConfigError([{ path: '', message: 'config file not found: /x.json' }], null);
    expect(file.message).toBe('config file not found: /x.json');
    const plain = new catalogue.ConfigError('authentication: not here');
    expect(plain.message).toBe('authentication: not here');
    expect(plain.issues).toEqual([{ path: '', message: 'authentication: not here' }]);
  });

  it('from resolveConfig names each wrong key as an issue', () => {
    const err = (() => {
      try {
        resolveConfig({ secretKey: 'k'.repeat(50), sesions: {}, jwt: { algorithm: 'none' } } as never);
      } catch (e) {
        return e;
      }
    })() as catalogue.ConfigError;
    expect(err).toBeInstanceOf(catalogue.ConfigError);
    expect(err.issues.map((i) => i.path).sort()).toEqual(['', 'jwt.algorithm']);
    expect(err.issues.find((i) => i.path === '')?.message).toBe('unknown key "sesions"');
    expect(err.message.split('\n')[0]).toBe('invalid gatehouse config:');
  });
});
