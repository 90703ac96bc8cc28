import { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors.js';
import { auditSettings } from './settings/audit.js';
import { csrfSettings } from './settings/csrf.js';
import { emailSettings } from './settings/email.js';
import { jwtSettings } from './settings/jwt.js';
import { loginSettings } from './settings/login.js';
import { metricsSettings } from './settings/metrics.js';
import { mfaSettings } from './settings/mfa.js';
import { passwordSettings } from './settings/passwords.js';
import { serverSettings } from './settings/server.js';
import { sessionSettings } from './settings/sessions.js';
import { throttleSettings } from './settings/throttle.js';
import { tokenSettings } from './settings/tokens.js';

export const SCHEMES = ['session', 'token', 'jwt', 'basic'] as const;
export type SchemeName = (typeof SCHEMES)[number];

const schemeName = z.enum(SCHEMES, {
  error: (issue) => `expected one of ${SCHEMES.join(', ')}, got ${JSON.stringify(issue.input)}`,
});

const storeUrl = z
  .string()
  .regex(/^(sqlite:|postgres:|postgresql:|memory:|redis:|rediss:|redis\+cluster:|redis\+sentinel:)/, {
    message:
      'expected a store URL: "sqlite:./gatehouse.db", "postgres://…", "redis://…", "redis+cluster://…", "redis+sentinel://…" or "memory:"',
  });

const configSchema = z
  .object({
    /** Signs HMAC material (JWT HS*; CSRF tokens are masked, not signed). Required in production. 32+ characters. */
    secretKey: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? 'required: 32+ characters (set GATEHOUSE_SECRET_KEY or secretKey)'
            : `expected a string of 32+ characters, got ${typeof issue.input}`,
      })
      .min(32, { message: 'must be at least 32 characters' }),
    /** Previous secret keys that still verify (Django's SECRET_KEY_FALLBACKS). */
    secretKeyFallbacks: z.array(z.string().min(32)).default([]),
    /** Production mode: a secret key is required, Basic is off unless enabled. */
    production: z.boolean().default(false),
    /** Schemes tried in order, like DRF's DEFAULT_AUTHENTICATION_CLASSES. */
    authentication: z.array(schemeName).min(1).default(['session', 'token', 'jwt']),
    /**
     * Allow Basic auth (tests and local tools only). Default: on in development or when listed in
     * `authentication`, off in production. When on and not listed, it is tried last.
     */
    basic: z.boolean().optional(),
    /** Allow POST /api/auth/register/. */
    signup: z.boolean().default(false),
    /** Where users, tokens and refresh state live. */
    database: storeUrl.default('sqlite:./gatehouse.db'),
    /** When set, sessions, refresh state and rate limits live in Redis. */
    redis: storeUrl.optional(),
    /** Per-store override: `sessions: "redis://…"`. */
    stores: z
      .object({
        users: storeUrl.optional(),
        sessions: storeUrl.optional(),
        apiTokens: storeUrl.optional(),
        jwtState: storeUrl.optional(),
        rateLimits: storeUrl.optional(),
        audit: storeUrl.optional(),
        mfa: storeUrl.optional(),
      })
      .strict()
      .default({}),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    server: serverSettings.default(serverSettings.parse({})),
    passwords: passwordSettings.default(passwordSettings.parse({})),
    jwt: jwtSettings.default(jwtSettings.parse({})),
    tokens: tokenSettings.default(tokenSettings.parse({})),
    sessions: sessionSettings.default(sessionSettings.parse({})),
    csrf: csrfSettings.default(csrfSettings.parse({})),
    throttle: throttleSettings.default(throttleSettings.parse({})),
    audit: auditSettings.default(auditSettings.parse({})),
    email: emailSettings.default(emailSettings.parse({})),
    login: loginSettings.default(loginSettings.parse({})),
    metrics: metricsSettings.default(metricsSettings.parse({})),
    mfa: mfaSettings.default(mfaSettings.parse({})),
  })
  .strict();

/** What a user writes (every key optional but `secretKey`): what {@link defineConfig} returns. */
export type GatehouseConfigInput = z.input<typeof configSchema>;
/** The validated config with every default filled in and every lifetime in seconds. */
export type GatehouseConfig = z.output<typeof configSchema>;

/**
 * Marks a config that {@link resolveConfig} made, so passing it on (to createGatehouse, to
 * buildServer) does not resolve it twice: its output is not valid input (lifetimes are seconds,
 * rates are parsed). `Symbol.for` so a second copy of the package (a config file loaded by jiti)
 * still recognises it.
 */
const RESOLVED: unique symbol = Symbol.for('gatehouse-auth.resolvedConfig') as never;

/** Stands in for a secret key a config file leaves to the loader, so the rest can be checked early. */
const PLACEHOLDER_SECRET = 'placeholder-secret-key-for-validation-only';

/**
 * Declares a config with its types, like Vite's `defineConfig`: it returns the input as written,
 * after checking it, so a wrong key fails where it is written. Resolution (defaults, lifetimes in
 * seconds) happens once, where the config is used: `createGatehouse`, `openStores`, the server's
 * loader (which first merges the `GATEHOUSE_*` environment variables, and in development
 * generates a missing `secretKey`). Throws a ConfigError that names each wrong key.
 *
 * @example
 * // gatehouse.config.ts
 * export default defineConfig({ secretKey: process.env.GATEHOUSE_SECRET_KEY!, authentication: ['jwt'] });
 *
 * // or in an app
 * const config = defineConfig({ secretKey: process.env.GATEHOUSE_SECRET_KEY!, database: 'sqlite:./app.db' });
 * const gh = createGatehouse({ config, stores: await openStores(config) });
 */
export function defineConfig(input: GatehouseConfigInput): GatehouseConfigInput {
  if (isResolvedConfig(input)) return input;
  // A config file may leave the secret key to the environment or to the development default.
  resolveConfig(input.secretKey === undefined ? { ...input, secretKey: PLACEHOLDER_SECRET } : input);
  return input;
}

/** True for a config that {@link resolveConfig} returned. */
export function isResolvedConfig(config: unknown): config is GatehouseConfig {
  return typeof config === 'object' && config !== null && RESOLVED in config;
}

/**
 * Validates a config once and fills in the defaults; a config it already resolved is returned as
 * is. Throws a ConfigError that names each wrong key and what it accepts.
 *
 * @example
 * const config = resolveConfig({ secretKey: process.env.GATEHOUSE_SECRET_KEY! });
 * config.jwt.accessTokenLifetime; // 900 (seconds)
 */
export function resolveConfig(input: GatehouseConfigInput | GatehouseConfig): GatehouseConfig {
  if (isResolvedConfig(input)) return input;
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(result.error.issues.map(toConfigIssue));
  const config = result.data;
  // Basic is on when listed or in development; the effective order lists it last unless placed.
  if (config.basic === undefined)
    config.basic = config.authentication.includes('basic') || !config.production;
  const order = config.authentication.filter((s) => s !== 'basic' || config.basic);
  if (config.basic && !order.includes('basic')) order.push('basic');
  config.authentication = order;
  checkHeaderKeywords(config);
  applyCors(config);
  applyEmail(config);
  Object.defineProperty(config, RESOLVED, { value: true, enumerable: false });
  return config;
}

/** Unknown keys are reported at the object that holds them ('' for the top level). */
function toConfigIssue(issue: z.core.$ZodIssue): ConfigIssue {
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return { path, message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}` };
  }
  return { path: path || '(root)', message: issue.message };
}

/**
 * Two schemes claiming one Authorization keyword would shadow each other: the first would
 * refuse the other's credentials as its own invalid ones.
 */
function checkHeaderKeywords(config: GatehouseConfig): void {
  if (!config.authentication.includes('token') || !config.authentication.includes('jwt')) return;
  const keyword = config.tokens.keyword.toLowerCase();
  const clash = config.jwt.authHeaderTypes.find((t) => t.toLowerCase() === keyword);
  if (clash) {
    throw new ConfigError([
      {
        path: 'tokens.keyword',
        message: `"${config.tokens.keyword}" is also in jwt.authHeaderTypes; give each scheme its own keyword`,
      },
    ]);
  }
}

/**
 * One list for a SPA on another origin (docs/spa.md): an origin allowed to send credentialed
 * requests is one whose unsafe requests CSRF must accept too, so it joins csrf.trustedOrigins.
 * A credentialed `*` would let every site on the web act as the signed-in user; browsers refuse
 * it anyway, so it is a start-up error rather than a server that silently does not work.
 */
function applyCors(config: GatehouseConfig): void {
  const { origins, credentials } = config.server.cors;
  if (!credentials) return;
  if (origins.includes('*')) {
    throw new ConfigError([
      {
        path: 'server.cors.origins',
        message:
          '"*" cannot be combined with server.cors.credentials: true; list the origins ("https://app.example.com")',
      },
    ]);
  }
  const trusted = new Set(config.csrf.trustedOrigins);
  for (const origin of origins) trusted.add(origin);
  config.csrf.trustedOrigins = [...trusted];
}

/**
 * The mail flows are on when a transport is configured or in development (the outbox folder).
 * In production they need a real transport and a link origin: a reset mail that never leaves
 * the server, or whose link is built from a request's Host header, is a broken or forged one.
 */
function applyEmail(config: GatehouseConfig): void {
  const email = config.email;
  email.flows ??= email.url !== undefined || !config.production;
  if (!config.production || !email.flows) return;
  const issues: ConfigIssue[] = [];
  if (email.url === undefined)
    issues.push({
      path: 'email.url',
      message:
        'required in production when the mail flows are on: "smtp://user:pass@host:587" (or set email.flows: false)',
    });
  if (email.baseUrl === undefined)
    issues.push({
      path: 'email.baseUrl',
      message: 'required in production when the mail flows are on: the origin of the links in mails',
    });
  if (issues.length) throw new ConfigError(issues);
}
