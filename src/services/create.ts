import { type Clock, systemClock } from '../core/clock.js';
import {
  type GatehouseConfig,
  type GatehouseConfigInput,
  resolveConfig,
  type SchemeName,
} from '../core/config.js';
import type { Context } from '../core/context.js';
import { createCsrf } from '../core/csrf/csrf.js';
import { ConfigError } from '../core/errors.js';
import { type Logger, stderrLogger } from '../core/logger.js';
import { type Metrics, NO_METRICS } from '../core/metrics.js';
import { Pipeline } from '../core/pipeline.js';
import type { Authenticator } from '../core/scheme.js';
import { createThrottle } from '../core/throttle/throttle.js';
import { createPasswordHasher } from '../crypto/passwords/hasher.js';
import type { PasswordHasher } from '../crypto/passwords/types.js';
import { SCHEME_FACTORIES, type SchemeServices } from '../schemes/index.js';
import { createJwtCookies } from '../schemes/jwt/cookies.js';
import { createJwtTokens } from '../schemes/jwt/tokens.js';
import { createSessionService } from '../schemes/session/service.js';
import { storeBackends } from '../stores/open.js';
import type { Stores } from '../stores/types.js';
import { createEmailFlows } from './mail/flows.js';
import { createMailer } from './mail/mailer.js';
import { DEFAULT_MAIL_TEMPLATES, type MailTemplates } from './mail/templates.js';
import { createMailTransport } from './mail/transport.js';
import type { Mailer } from './mail/types.js';
import { createMetrics } from './metrics/registry.js';
import { instrumentStores } from './metrics/stores.js';
import { createPasskeys } from './mfa/passkeys.js';
import { createMfa } from './mfa/service.js';
import { createSignIn } from './sign-in.js';
import type { Services } from './types.js';

export interface ServicesOptions {
  /** What `defineConfig` returns (resolved here, once), or a config `resolveConfig` already resolved. */
  config: GatehouseConfigInput | GatehouseConfig;
  stores: Stores;
  clock?: Clock;
  /** Where errors and refusals are logged; default: errors and warnings to stderr with their stack. */
  logger?: Logger;
  passwords?: PasswordHasher;
  /** Sends the flows' mails; default: over `email.url` (SMTP) or to the outbox folder, off the request path. */
  mailer?: Mailer;
  /** The wording of the mails, any of them replaced (docs/email.md). */
  mailTemplates?: Partial<MailTemplates>;
}

/**
 * The composition root: every service of a gatehouse is built here, once, in dependency order,
 * and handed to whoever needs it (schemes, routes, adapters, the CLI). Nothing else builds them,
 * so there is one CSRF checker, one throttle, one keyring per gatehouse.
 *
 * @example
 * const services = createServices({ config: defineConfig({ secretKey }), stores: createMemoryStores() });
 * const who = await services.pipeline.authenticate(req);
 */
export function createServices(options: ServicesOptions): Services {
  const config = resolveConfig(options.config);
  // Built first when on: the stores and the hashing pool report into it from the start.
  let passwords = options.passwords;
  const metrics = config.metrics.enabled ? createMetrics(() => passwords?.queued ?? 0) : null;
  passwords ??= createPasswordHasher(config.passwords, metrics?.hashWait);
  const ctx: Context = {
    config,
    stores: metrics ? instrumentStores(options.stores, storeBackends(config), metrics) : options.stores,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? stderrLogger,
    passwords,
    ...(metrics && { metrics }),
  };
  const configured = new Set<SchemeName>(config.authentication);
  // The JWT service parses keys and may fetch a JWKS: only built when jwt is configured.
  const jwt = configured.has('jwt') ? createJwtTokens(ctx) : null;
  const shared: SchemeServices = {
    csrf: createCsrf(config.csrf),
    throttle: createThrottle(ctx),
    sessions: createSessionService(ctx),
    jwt,
    jwtCookies: jwt ? createJwtCookies(ctx) : null,
  };
  const schemes = buildSchemes(ctx, shared);
  const pipeline = new Pipeline(
    config.authentication.map((name) => schemes[name]!),
    metrics ?? NO_METRICS,
  );
  const mfa = createMfa({ ctx, throttle: shared.throttle });
  const passkeys = ctx.config.mfa.passkeys ? createPasskeys(ctx, ctx.config.mfa.passkeys) : null;
  const signIn = createSignIn({ ctx, throttle: shared.throttle, mfa, passkeys });
  const mailer = options.mailer ?? defaultMailer(ctx);
  const templates = { ...DEFAULT_MAIL_TEMPLATES, ...options.mailTemplates };
  const emailFlows = createEmailFlows({ ctx, throttle: shared.throttle, mailer, templates });
  return {
    ctx,
    ...shared,
    signIn,
    mfa,
    passkeys,
    mailer,
    mailTemplates: templates,
    emailFlows,
    schemes,
    pipeline,
    pipelineFor: pipelinesOver(schemes, pipeline, metrics ?? NO_METRICS),
    metrics,
  };
}

/** SMTP when `email.url` is set; else the outbox folder, and the log says where it is. */
function defaultMailer(ctx: Context): Mailer {
  const { email } = ctx.config;
  const transport = createMailTransport(email);
  if (email.url === undefined && email.flows)
    ctx.logger.info(
      { outbox: transport.description },
      `no email.url: mails are written to ${transport.description}`,
    );
  return createMailer({ transport, from: email.from, logger: ctx.logger, retries: email.retries });
}

function buildSchemes(ctx: Context, shared: SchemeServices): Partial<Record<SchemeName, Authenticator>> {
  const out: Partial<Record<SchemeName, Authenticator>> = {};
  for (const name of ctx.config.authentication) {
    const factory = SCHEME_FACTORIES[name];
    if (!factory)
      throw new ConfigError(
        [{ path: 'authentication', message: `the "${name}" scheme is not available in this build` }],
        null,
      );
    out[name] = factory(ctx, shared);
  }
  return out;
}

/** Pipelines over a subset of the schemes, made on first use and kept (routes share them). */
function pipelinesOver(
  schemes: Partial<Record<SchemeName, Authenticator>>,
  all: Pipeline,
  metrics: Metrics,
): (names?: readonly SchemeName[]) => Pipeline {
  const made = new Map<string, Pipeline>();
  return (names) => {
    if (!names) return all;
    const key = names.join(',');
    let pipeline = made.get(key);
    if (!pipeline) {
      pipeline = new Pipeline(
        names.filter((n) => schemes[n]).map((n) => schemes[n]!),
        metrics,
      );
      made.set(key, pipeline);
    }
    return pipeline;
  };
}
