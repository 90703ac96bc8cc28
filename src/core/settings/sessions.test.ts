import { describe, expect, it } from 'vitest';
import { type GatehouseConfigInput, resolveConfig } from '../config.js';

const config = (input: Partial<GatehouseConfigInput>) =>
  resolveConfig({ secretKey: 's'.repeat(32), ...input });

describe('sessions settings', () => {
  it("defaults: Django's sessionid for 14 days, HttpOnly, Lax, Secure over HTTPS, no idle timeout", () => {
    expect(config({}).sessions).toEqual({
      cookieName: 'sessionid',
      lifetime: 14 * 86400,
      idleTimeout: null,
      touchInterval: 60,
      cookieSecure: 'auto',
      cookieHttpOnly: true,
      cookieSameSite: 'Lax',
      cookiePath: '/',
      cookieDomain: null,
      expireAtBrowserClose: false,
      maxDataBytes: 4096,
    });
  });

  it('parses lifetimes once, into seconds', () => {
    expect(
      config({ sessions: { lifetime: '1d', idleTimeout: '2h', touchInterval: '5m' } }).sessions,
    ).toMatchObject({
      lifetime: 86400,
      idleTimeout: 7200,
      touchInterval: 300,
    });
  });

  it.each([
    [{ idleTimeout: '30s' }, 'sessions.idleTimeout: must be longer than touchInterval (60s)'],
    [{ cookieSameSite: 'None', cookieSecure: false }, "sessions.cookieSameSite: 'None' needs cookieSecure"],
    [{ cookieSameSite: 'lax' }, "sessions.cookieSameSite: expected 'Lax', 'Strict' or 'None', got \"lax\""],
    [{ cookieSecure: 'yes' }, "sessions.cookieSecure: expected 'auto', true or false"],
    [{ cookieName: 'my session' }, 'sessions.cookieName: expected a cookie name'],
    [{ cookiePath: 'app' }, 'sessions.cookiePath: expected an absolute path'],
    [{ cookieDomain: 'a;b' }, 'sessions.cookieDomain: expected a domain'],
    [{ lifetime: 'forever' }, 'sessions.lifetime'],
  ])('refuses %j naming the key', (sessions, message) => {
    expect(() => config({ sessions } as Partial<GatehouseConfigInput>)).toThrow(message);
  });
});

describe('csrf settings', () => {
  it("defaults: Django's csrftoken for a year, readable by the page, X-CSRFToken, no trusted origins", () => {
    expect(config({}).csrf).toEqual({
      cookieName: 'csrftoken',
      cookieAge: 31449600,
      cookieSecure: 'auto',
      cookieSameSite: 'Lax',
      cookiePath: '/',
      cookieDomain: null,
      headerName: 'X-CSRFToken',
      trustedOrigins: [],
    });
  });

  it('takes trusted origins with their scheme, exact or with a subdomain wildcard', () => {
    expect(
      config({
        csrf: {
          trustedOrigins: ['https://App.example.com', 'https://*.example.org', 'http://localhost:5173'],
        },
      }).csrf.trustedOrigins,
    ).toEqual(['https://app.example.com', 'https://*.example.org', 'http://localhost:5173']);
  });

  it.each([
    [{ trustedOrigins: ['example.com'] }, 'csrf.trustedOrigins.0: expected an origin with its scheme'],
    [{ trustedOrigins: ['https://example.com/path'] }, 'csrf.trustedOrigins.0'],
    [{ headerName: 'X CSRF' }, 'csrf.headerName: expected an HTTP header name'],
    [{ cookieAge: 'long' }, 'csrf.cookieAge'],
    [{ cookeName: 'x' }, 'csrf: unknown key "cookeName"'],
  ])('refuses %j naming the key', (csrf, message) => {
    expect(() => config({ csrf } as Partial<GatehouseConfigInput>)).toThrow(message);
  });
});
