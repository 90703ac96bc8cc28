import type { GatehouseConfig } from '../core/config.js';

/**
 * `gatehouse doctor` and the server's start-up check (docs/cli.md, "doctor"): what the field's
 * advice says is wrong with a config that is valid. A config that does not validate never gets
 * here: the loader's ConfigError says why (exit 2).
 */

/** `error`: an attack or an outage waiting to happen; `warning`: a trade-off taken the risky way; `info`: worth knowing, not a problem. */
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** Stable rule id (`secret-key-weak`), for scripts and for silencing in review. */
  rule: string;
  severity: Severity;
  /** The config key at fault. */
  path: string;
  /** What is wrong and why it matters. */
  message: string;
  /** The one-line fix. */
  fix: string;
}

type Rule = (config: GatehouseConfig) => Finding | null;

/** Access tokens that live longer than this cannot be taken back soon enough (simplejwt: 5 min). */
const LONG_ACCESS_SECONDS = 3600;
/** A stateless access token is the only revocation: it should expire within minutes. */
const STATELESS_ACCESS_SECONDS = 15 * 60;
/** Django's check (security.W009): 50+ characters, 5+ distinct ones. */
const STRONG_SECRET_LENGTH = 50;
const PLACEHOLDER_SECRET = /change.?me|insecure|placeholder|example|your.?secret|^secret|dummy|^test/i;

const HMAC = /^HS/;

const finding = (rule: string, severity: Severity, path: string, message: string, fix: string): Finding => ({
  rule,
  severity,
  path,
  message,
  fix,
});

/** Serving HTTPS: the server itself never terminates TLS, so only a trusted proxy can say so. */
const behindTlsProxy = (c: GatehouseConfig): boolean => c.server.trustProxy !== false;
const usesJwt = (c: GatehouseConfig): boolean => c.authentication.includes('jwt');

const secretKeyWeak: Rule = (c) => {
  const key = c.secretKey;
  const distinct = new Set(key).size;
  if (key.length >= STRONG_SECRET_LENGTH && distinct >= 5 && !PLACEHOLDER_SECRET.test(key)) return null;
  const why = PLACEHOLDER_SECRET.test(key)
    ? 'looks like a placeholder or a default'
    : `is short or repetitive (${key.length} characters, ${distinct} distinct; 50+ advised)`;
  return finding(
    'secret-key-weak',
    c.production ? 'error' : 'warning',
    'secretKey',
    `the secret key ${why}: whoever guesses it forges CSRF tokens and, with HS* JWTs, any token`,
    'set GATEHOUSE_SECRET_KEY to a random value: node -e "console.log(crypto.randomBytes(48).toString(\'base64url\'))"',
  );
};

const hmacShared: Rule = (c) => {
  if (!usesJwt(c) || !HMAC.test(c.jwt.algorithm)) return null;
  // An audience, an issuer or a signing key of its own says other services verify these tokens.
  const shared = c.jwt.audience !== undefined || c.jwt.issuer !== undefined || c.jwt.signingKey !== undefined;
  if (!shared) return null;
  return finding(
    'jwt-hmac-shared',
    'warning',
    'jwt.algorithm',
    `${c.jwt.algorithm} tokens for other services: every service that verifies them holds the secret that signs them, so any of them can mint tokens for every user`,
    "use a key pair (jwt.algorithm: 'ES256', `gatehouse keys generate`) and let services verify from GET /.well-known/jwks.json",
  );
};

const accessLong: Rule = (c) => {
  if (!usesJwt(c) || c.jwt.accessTokenLifetime <= LONG_ACCESS_SECONDS) return null;
  return finding(
    'jwt-access-long',
    'warning',
    'jwt.accessTokenLifetime',
    `access tokens live ${c.jwt.accessTokenLifetime}s: a stolen one works that long, and a blacklisted refresh token does not end it`,
    "keep access tokens short (jwt.accessTokenLifetime: '15m') and let clients refresh",
  );
};

const rotationWithoutReuse: Rule = (c) => {
  if (!usesJwt(c) || !c.jwt.rotateRefreshTokens || c.jwt.blacklistAfterRotation) return null;
  return finding(
    'jwt-rotation-without-reuse-detection',
    'warning',
    'jwt.blacklistAfterRotation',
    'refresh tokens rotate but the old one keeps working: a stolen refresh token is never noticed, and thief and owner both refresh forever',
    'set jwt.blacklistAfterRotation: true: a spent token presented again revokes its family',
  );
};

const basicInProduction: Rule = (c) => {
  if (!c.production || !c.basic) return null;
  return finding(
    'basic-in-production',
    'error',
    'basic',
    'Basic auth sends the password with every request and gets no CSRF or throttle-friendly flow: it is for tests and local tools',
    "remove 'basic' from authentication and set basic: false (GATEHOUSE_BASIC=false)",
  );
};

/** The cookies gatehouse sets, with their Secure and SameSite settings. */
function cookies(c: GatehouseConfig): Array<{ path: string; secure: boolean | 'auto'; sameSite: string }> {
  const out = [{ path: 'csrf', secure: c.csrf.cookieSecure, sameSite: c.csrf.cookieSameSite }];
  if (c.authentication.includes('session'))
    out.push({ path: 'sessions', secure: c.sessions.cookieSecure, sameSite: c.sessions.cookieSameSite });
  if (usesJwt(c) && c.jwt.cookie)
    out.push({ path: 'jwt.cookie', secure: c.jwt.cookie.secure, sameSite: c.jwt.cookie.sameSite });
  return out;
}

const usesCookies = (c: GatehouseConfig): boolean =>
  c.authentication.includes('session') || (usesJwt(c) && c.jwt.cookie !== null);

const secureImpossible: Rule = (c) => {
  if (!c.production || !usesCookies(c) || behindTlsProxy(c)) return null;
  return finding(
    'secure-cookies-impossible',
    'error',
    'server.trustProxy',
    'production over plain HTTP: the server does not terminate TLS and trusts no proxy to say the request came over HTTPS, so session and JWT cookies are never Secure',
    'put a TLS-terminating proxy in front and set server.trustProxy to its address (GATEHOUSE_TRUST_PROXY=10.0.0.1)',
  );
};

const sameSiteNoneWithoutHttps: Rule = (c) => {
  const https = behindTlsProxy(c);
  const bad = cookies(c).find(
    (k) => k.sameSite === 'None' && (k.secure === false || (k.secure === 'auto' && !https)),
  );
  if (!bad) return null;
  return finding(
    'samesite-none-without-https',
    'warning',
    `${bad.path}.${bad.path === 'jwt.cookie' ? 'sameSite' : 'cookieSameSite'}`,
    'SameSite=None cookies must be Secure: browsers drop them over plain HTTP, so cross-site sign-in silently does not work',
    'serve over HTTPS (server.trustProxy behind a TLS proxy), or keep SameSite Lax when the front end is on the same site',
  );
};

const corsCredentialsBroad: Rule = (c) => {
  const { origins, credentials } = c.server.cors;
  // `*` with credentials is refused by the config itself (exit 2); a wildcard subdomain or plain
  // HTTP origin with credentials is accepted but lets more than the app's page act as the user.
  const broad = credentials
    ? origins.find((o) => o.includes('*') || (c.production && o.startsWith('http:')))
    : undefined;
  if (!broad) return null;
  return finding(
    'cors-credentials-broad',
    'warning',
    'server.cors.origins',
    `credentialed CORS for ${broad}: every page there (any subdomain, or plain HTTP a network attacker can inject into) may act as the signed-in user`,
    'list the exact HTTPS origins of your front end ("https://app.example.com")',
  );
};

const jwtCookieWithoutOrigins: Rule = (c) => {
  if (!usesJwt(c) || !c.jwt.cookie || c.csrf.trustedOrigins.length > 0) return null;
  return finding(
    'jwt-cookie-without-trusted-origins',
    'warning',
    'csrf.trustedOrigins',
    'JWTs in cookies are sent by the browser on its own: with no trusted origins, a front end on another origin is refused by CSRF, and nothing says which origins it should accept',
    "list the front end's origin: csrf.trustedOrigins: ['https://app.example.com'] (or server.cors with credentials)",
  );
};

const statelessLong: Rule = (c) => {
  if (!usesJwt(c) || !c.jwt.stateless || c.jwt.accessTokenLifetime <= STATELESS_ACCESS_SECONDS) return null;
  return finding(
    'jwt-stateless-long',
    'warning',
    'jwt.stateless',
    `stateless JWTs skip the user lookup, so logout, deactivation and password changes wait for expiry: up to ${c.jwt.accessTokenLifetime}s`,
    "shorten jwt.accessTokenLifetime to '5m', or set jwt.stateless: false",
  );
};

const THROTTLES = [
  'login',
  'loginUsername',
  'refresh',
  'register',
  'passwordChange',
  'email',
  'emailAddress',
] as const;

const throttlesOff: Rule = (c) => {
  const off: string[] = THROTTLES.filter((name) => c.throttle[name] === null);
  if (c.throttle.backoffAfter === 0) off.push('backoffAfter');
  if (off.length === 0) return null;
  return finding(
    'throttles-off',
    'warning',
    `throttle.${off[0]}`,
    `throttles turned off: ${off.join(', ')}; nothing then slows a password-guessing run or a mail flood`,
    'remove the nulls (the defaults are DRF-like: login 30/min, per username 10/min) or set a rate like "100/hour"',
  );
};

const mailWithoutTransport: Rule = (c) => {
  if (!c.email.flows || c.email.url !== undefined) return null;
  // In production the config itself refuses this (exit 2); in development the outbox stands in.
  return finding(
    'mail-without-transport',
    'info',
    'email.url',
    `password reset is on with no mail transport: mails are written to ${c.email.outbox}, never sent`,
    'set email.url (GATEHOUSE_EMAIL_URL=smtp://user:pass@host:587), or email.flows: false',
  );
};

const metricsExposed: Rule = (c) => {
  const m = c.metrics;
  if (!m.enabled || m.token !== undefined || m.port === undefined || isLoopbackHost(m.host)) return null;
  return finding(
    'metrics-exposed',
    'error',
    'metrics.host',
    `metrics are served to anyone who reaches ${m.host}:${m.port}, with no token`,
    'set metrics.token (GATEHOUSE_METRICS_TOKEN), or bind metrics.host to 127.0.0.1',
  );
};

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Every rule, in the order the report lists them. */
const RULES: readonly Rule[] = [
  secretKeyWeak,
  hmacShared,
  accessLong,
  rotationWithoutReuse,
  basicInProduction,
  secureImpossible,
  sameSiteNoneWithoutHttps,
  corsCredentialsBroad,
  jwtCookieWithoutOrigins,
  statelessLong,
  throttlesOff,
  mailWithoutTransport,
  metricsExposed,
];

/**
 * Checks a resolved config against the field's advice; an empty list is a clean bill.
 *
 * @example
 * const findings = diagnose(await loadConfig({ cwd, env: process.env }));
 * findings.filter((f) => f.severity !== 'info'); // the problems
 */
export function diagnose(config: GatehouseConfig): Finding[] {
  return RULES.map((rule) => rule(config)).filter((f): f is Finding => f !== null);
}

/** Whether a finding is a problem (exit 1), not only a note. */
export const isProblem = (f: Finding): boolean => f.severity !== 'info';
