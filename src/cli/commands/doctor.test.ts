import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tempProject } from '../../../test/helpers/temp.js';
import { main } from '../main.js';

/** 64 random-looking characters: a secret no rule objects to. */
const STRONG = 'Qm9vZ2llLXdvb2dpZS1ib2FyZC1ibHVlLXJpdmVyLTQyLXN0YXJzLWFuZC1tb29ucw';
const QUIET = { email: { flows: false } };

interface Report {
  valid: boolean;
  ok: boolean;
  error?: string;
  findings: Array<{ rule: string; severity: string; path: string; message: string; fix: string }>;
}

/** Runs `gatehouse doctor` in process over a config file and env, as an operator would. */
async function doctor(config: Record<string, unknown>, env: Record<string, string> = {}, json = true) {
  const cwd = tempProject();
  writeFileSync(
    join(cwd, 'gatehouse.config.json'),
    JSON.stringify({ secretKey: STRONG, ...QUIET, ...config }),
  );
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  const code = await main(['doctor', ...(json ? ['--json'] : [])], {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env,
    cwd,
  });
  return { code, out, err, report: json ? (JSON.parse(out) as Report) : null };
}

const rules = (r: Report) => r.findings.map((f) => f.rule);

/** Each case: a config that breaks one rule, the rule's id and the severity it is reported with. */
const CASES: Array<[string, Record<string, unknown>, Record<string, string>, string, string]> = [
  ['a short secret key', { secretKey: 'a'.repeat(20) + 'bcdefghijklm' }, {}, 'secret-key-weak', 'warning'],
  [
    'a placeholder secret key in production',
    { secretKey: `change-me-${STRONG}`, production: true, basic: false, server: { trustProxy: true } },
    {},
    'secret-key-weak',
    'error',
  ],
  [
    'HS256 with an audience (tokens for other services)',
    { authentication: ['jwt'], jwt: { audience: 'billing' } },
    {},
    'jwt-hmac-shared',
    'warning',
  ],
  [
    'a 1-day access token',
    { authentication: ['jwt'], jwt: { accessTokenLifetime: '1d' } },
    {},
    'jwt-access-long',
    'warning',
  ],
  [
    'rotation without reuse detection',
    { authentication: ['jwt'], jwt: { blacklistAfterRotation: false } },
    {},
    'jwt-rotation-without-reuse-detection',
    'warning',
  ],
  [
    'Basic on in production',
    { production: true, authentication: ['token', 'basic'] },
    {},
    'basic-in-production',
    'error',
  ],
  [
    'production over plain HTTP with session cookies',
    { production: true, basic: false },
    {},
    'secure-cookies-impossible',
    'error',
  ],
  [
    'SameSite=None without HTTPS',
    { sessions: { cookieSameSite: 'None' }, csrf: { cookieSameSite: 'None' } },
    {},
    'samesite-none-without-https',
    'warning',
  ],
  [
    'credentialed CORS for every subdomain',
    { server: { cors: { origins: ['https://*.example.com'], credentials: true } } },
    {},
    'cors-credentials-broad',
    'warning',
  ],
  [
    'JWT cookies without CSRF trusted origins',
    { authentication: ['jwt'], jwt: { cookie: true } },
    {},
    'jwt-cookie-without-trusted-origins',
    'warning',
  ],
  [
    'stateless JWT with a 1-hour access token',
    { authentication: ['jwt'], jwt: { stateless: true, accessTokenLifetime: '1h' } },
    {},
    'jwt-stateless-long',
    'warning',
  ],
  ['the login throttle turned off', { throttle: { login: null } }, {}, 'throttles-off', 'warning'],
  ['back-off turned off', { throttle: { backoffAfter: 0 } }, {}, 'throttles-off', 'warning'],
  [
    'password reset on with no mail transport',
    { email: { flows: true } },
    {},
    'mail-without-transport',
    'info',
  ],
  [
    'metrics on a public listener without a token',
    { metrics: { enabled: true, port: 9464, host: '0.0.0.0' } },
    {},
    'metrics-exposed',
    'error',
  ],
  [
    'a weak secret key from the environment',
    {},
    { GATEHOUSE_SECRET_KEY: 'x'.repeat(40) },
    'secret-key-weak',
    'warning',
  ],
];

describe('gatehouse doctor', () => {
  it('is clean on a sound config: exit 0, no findings', async () => {
    const { code, report } = await doctor({});
    expect(report).toEqual({ valid: true, ok: true, findings: [] });
    expect(code).toBe(0);
  });

  it('is clean on a sound production config behind a TLS proxy', async () => {
    const { code, report } = await doctor({
      production: true,
      basic: false,
      server: { trustProxy: ['10.0.0.1'] },
      authentication: ['session', 'jwt'],
      jwt: { algorithm: 'HS256' },
      metrics: { enabled: true, port: 9464 },
    });
    expect(report!.findings).toEqual([]);
    expect(code).toBe(0);
  });

  it.each(CASES)('reports %s', async (_title, config, env, rule, severity) => {
    const { code, report } = await doctor(config, env);
    const found = report!.findings.find((f) => f.rule === rule);
    expect(found, JSON.stringify(report)).toBeDefined();
    expect(found!.severity).toBe(severity);
    expect(found!.fix.length).toBeGreaterThan(10);
    expect(found!.message.length).toBeGreaterThan(10);
    expect(code).toBe(severity === 'info' ? (rules(report!).length === 1 ? 0 : 1) : 1);
  });

  it('credentialed CORS for "*": the config does not validate, exit 2 with the message', async () => {
    const { code, report } = await doctor({ server: { cors: { origins: ['*'], credentials: true } } });
    expect(code).toBe(2);
    expect(report!.valid).toBe(false);
    expect(report!.error).toContain('server.cors.origins');
  });

  it('without --json: one line per finding with its fix, the validation message on stderr', async () => {
    const bad = await doctor({ throttle: { refresh: null } }, {}, false);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('WARNING throttles-off (throttle.refresh)');
    expect(bad.out).toMatch(/fix: /);
    const invalid = await doctor({ jwt: { accessTokenLifetime: 'soon' } }, {}, false);
    expect(invalid.code).toBe(2);
    expect(invalid.err).toContain('jwt.accessTokenLifetime');
    const clean = await doctor({}, {}, false);
    expect(clean.code).toBe(0);
    expect(clean.out).toBe('gatehouse doctor: no problems found.\n');
  });
});
