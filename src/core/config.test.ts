import { describe, expect, it } from 'vitest';
import { parseDuration } from './clock.js';
import { defineConfig, isResolvedConfig, resolveConfig } from './config.js';
import { ConfigError } from './errors.js';

const secretKey = 'x'.repeat(40);

describe('resolveConfig', () => {
  it('fills defaults and parses lifetimes to seconds', () => {
    const c = resolveConfig({ secretKey });
    expect(c.authentication).toEqual(['session', 'token', 'jwt', 'basic']);
    expect(c.database).toBe('sqlite:./gatehouse.db');
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 8000 });
    expect(c.jwt.accessTokenLifetime).toBe(900);
    expect(c.jwt.refreshTokenLifetime).toBe(7 * 86400);
    expect(c.sessions.lifetime).toBe(14 * 86400);
    expect(resolveConfig({ secretKey, jwt: { accessTokenLifetime: '5m' } }).jwt.accessTokenLifetime).toBe(
      300,
    );
  });

  it('turns Basic off in production unless listed', () => {
    expect(resolveConfig({ secretKey, production: true }).authentication).toEqual([
      'session',
      'token',
      'jwt',
    ]);
    expect(
      resolveConfig({ secretKey, production: true, authentication: ['basic', 'token'] }).authentication,
    ).toEqual(['basic', 'token']);
    expect(resolveConfig({ secretKey, basic: false }).authentication).not.toContain('basic');
  });

  it.each([
    [{ secretKey: 'short' }, 'secretKey: must be at least 32 characters'],
    [
      { secretKey, authentication: ['kerberos'] },
      'authentication.0: expected one of session, token, jwt, basic, got "kerberos"',
    ],
    [
      { secretKey, jwt: { accessTokenLifetime: 'soon' } },
      'jwt.accessTokenLifetime: expected a duration like "30s", "15m"',
    ],
    [{ secretKey, database: 'mysql://x' }, 'database: expected a store URL'],
    [{ secretKey, sesions: {} }, 'unknown key "sesions"'],
    [{ secretKey, server: { port: 70000 } }, 'server.port:'],
    [{ secretKey, tokens: { keyword: 'Bearer' } }, 'tokens.keyword: "Bearer" is also in jwt.authHeaderTypes'],
  ])('names the wrong key and what is accepted: %j', (input, message) => {
    expect(() => resolveConfig(input as never)).toThrow(ConfigError);
    expect(() => resolveConfig(input as never)).toThrow(message);
  });
});

describe('defineConfig', () => {
  it('returns the input as written, which resolves once wherever it is used', () => {
    const input = {
      secretKey,
      jwt: { accessTokenLifetime: '5m', cookie: true },
      passwords: { validators: { minLength: 10 } },
      throttle: { login: '5/min' },
    };
    const config = defineConfig(input);
    expect(config).toBe(input);
    expect(isResolvedConfig(config)).toBe(false);
    const resolved = resolveConfig(config);
    expect(resolved.jwt.accessTokenLifetime).toBe(300);
    expect(isResolvedConfig(resolved)).toBe(true);
    // A resolved config passed on is not resolved again (its output is not valid input).
    expect(resolveConfig(resolved)).toBe(resolved);
    expect(Object.keys(resolved)).not.toContain('gatehouse-auth.resolvedConfig');
  });

  it('checks at once, but leaves a missing secret key to the loader', () => {
    expect(() => defineConfig({ secretKey: undefined as unknown as string, signup: true })).not.toThrow();
    expect(() => defineConfig({ secretKey, jwt: { accessTokenLifetime: 'soon' } })).toThrow(
      'jwt.accessTokenLifetime: expected a duration',
    );
    expect(() => resolveConfig({} as never)).toThrow('secretKey: required: 32+ characters');
  });
});

describe('server.cors', () => {
  it('adds credentialed origins to the CSRF trusted origins', () => {
    const c = resolveConfig({
      secretKey,
      csrf: { trustedOrigins: ['https://admin.example.com'] },
      server: {
        cors: { origins: ['https://App.example.com', 'https://admin.example.com'], credentials: true },
      },
    });
    expect(c.csrf.trustedOrigins).toEqual(['https://admin.example.com', 'https://app.example.com']);
    const open = resolveConfig({ secretKey, server: { cors: { origins: ['https://app.example.com'] } } });
    expect(open.csrf.trustedOrigins).toEqual([]);
  });

  it('refuses "*" with credentials, naming the key', () => {
    expect(() =>
      resolveConfig({ secretKey, server: { cors: { origins: ['*'], credentials: true } } }),
    ).toThrow('server.cors.origins: "*" cannot be combined with server.cors.credentials: true');
    expect(resolveConfig({ secretKey, server: { cors: { origins: ['*'] } } }).server.cors.origins).toEqual([
      '*',
    ]);
    expect(() => resolveConfig({ secretKey, server: { cors: { origins: ['app.example.com'] } } })).toThrow(
      'server.cors.origins.0: expected an origin with its scheme',
    );
  });
});

describe('parseDuration', () => {
  it.each([
    ['30s', 30],
    ['15m', 900],
    ['1h', 3600],
    ['7d', 604800],
    ['2w', 1209600],
    ['90', 90],
    [45, 45],
  ])('%s → %i seconds', (input, seconds) => expect(parseDuration(input)).toBe(seconds));

  it('refuses what it cannot read', () => {
    expect(() => parseDuration('1y')).toThrow(/expected a duration/);
    expect(() => parseDuration(-1)).toThrow(RangeError);
  });
});
