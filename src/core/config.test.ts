import { describe, expect, it } from 'vitest';
import { parseDuration } from './clock.js';
import { defineConfig } from './config.js';
import { ConfigError } from './errors.js';

const secretKey = 'x'.repeat(40);

describe('defineConfig', () => {
  it('fills defaults and parses lifetimes to seconds', () => {
    const c = defineConfig({ secretKey });
    expect(c.authentication).toEqual(['session', 'token', 'jwt', 'basic']);
    expect(c.database).toBe('sqlite:./gatehouse.db');
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 8000 });
    expect(c.jwt.accessTokenLifetime).toBe(900);
    expect(c.jwt.refreshTokenLifetime).toBe(7 * 86400);
    expect(c.sessions.lifetime).toBe(14 * 86400);
    expect(defineConfig({ secretKey, jwt: { accessTokenLifetime: '5m' } }).jwt.accessTokenLifetime).toBe(300);
  });

  it('turns Basic off in production unless listed', () => {
    expect(defineConfig({ secretKey, production: true }).authentication).toEqual(['session', 'token', 'jwt']);
    expect(
      defineConfig({ secretKey, production: true, authentication: ['basic', 'token'] }).authentication,
    ).toEqual(['basic', 'token']);
    expect(defineConfig({ secretKey, basic: false }).authentication).not.toContain('basic');
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
    expect(() => defineConfig(input as never)).toThrow(ConfigError);
    expect(() => defineConfig(input as never)).toThrow(message);
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
