import { type Clock, systemClock } from '../core/clock.js';
import {
  type GatehouseConfig,
  type GatehouseConfigInput,
  resolveConfig,
  type SchemeName,
} from '../core/config.js';
import type { Context } from '../core/context.js';
import { ConfigError } from '../core/errors.js';
import { type Logger, stderrLogger } from '../core/logger.js';
import { Pipeline } from '../core/pipeline.js';
import type { AuthRequest } from '../core/request.js';
import type { Authenticator, AuthResult } from '../core/scheme.js';
import { createPasswordHasher } from '../crypto/passwords/hasher.js';
import type { PasswordHasher } from '../crypto/passwords/types.js';
import { SCHEME_FACTORIES } from '../schemes/index.js';
import type { Stores } from '../stores/types.js';
import { type BoundRoute, type DispatchInput, dispatch, withBaseHeaders } from './dispatch.js';
import { errorResponse } from './error-response.js';
import { CONTRACT } from './routes.js';
import type { HttpResponse, Route, RouteFactory, Services } from './types.js';

export interface GatehouseOptions {
  /** What `defineConfig` returns (resolved here, once), or a config `resolveConfig` already resolved. */
  config: GatehouseConfigInput | GatehouseConfig;
  stores: Stores;
  clock?: Clock;
  /** Where errors and refusals are logged; default: errors and warnings to stderr with their stack. */
  logger?: Logger;
  passwords?: PasswordHasher;
  /** The contract modules to mount; default: all of them. */
  routes?: readonly RouteFactory[];
}

/** One gatehouse instance: the context, the schemes in order, and the contract's routes. */
export interface Gatehouse {
  readonly ctx: Context;
  readonly services: Services;
  readonly routes: readonly BoundRoute[];
  /** Authenticates with the configured schemes, or with `schemes` in that order. */
  authenticate(req: AuthRequest, schemes?: readonly SchemeName[]): Promise<AuthResult | null>;
  /** A pipeline over some schemes (per-route authentication); built once per call site. */
  pipelineFor(schemes?: readonly SchemeName[]): Pipeline;
  /** Runs a matched route; never throws. */
  handle(route: BoundRoute, input: DispatchInput): Promise<HttpResponse>;
  /** The response for an error raised outside a route (adapters' guards). */
  errorResponse(err: unknown, req: AuthRequest, pipeline?: Pipeline): HttpResponse;
}

/**
 * Builds a gatehouse from a validated config and stores: schemes, verifiers and routes are made
 * here, once; requests only read them.
 *
 * @example
 * const gh = createGatehouse({ config: defineConfig({ secretKey }), stores: createMemoryStores() });
 */
export function createGatehouse(options: GatehouseOptions): Gatehouse {
  const { stores } = options;
  const config = resolveConfig(options.config);
  const ctx: Context = {
    config,
    stores,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? stderrLogger,
    passwords: options.passwords ?? createPasswordHasher(config.passwords),
  };
  const schemes = buildSchemes(ctx);
  const pipeline = new Pipeline(config.authentication.map((name) => schemes[name]!));
  const services: Services = { ctx, schemes, pipeline };
  const cache = new Map<string, Pipeline>();
  const pipelineFor = (names?: readonly SchemeName[]): Pipeline => {
    if (!names) return pipeline;
    const key = names.join(',');
    let p = cache.get(key);
    if (!p) {
      p = new Pipeline(names.filter((n) => schemes[n]).map((n) => schemes[n]!));
      cache.set(key, p);
    }
    return p;
  };
  const routes = (options.routes ?? CONTRACT)
    .flatMap((factory) => factory(services))
    .map(
      (route: Route): BoundRoute => ({
        route,
        pipeline: pipelineFor(route.schemes),
        challenge: route.challenge ?? null,
      }),
    );
  return {
    ctx,
    services,
    routes,
    pipelineFor,
    authenticate: (req, names) => pipelineFor(names).authenticate(req),
    handle: (route, input) => dispatch(ctx, route, input),
    errorResponse: (err, req, p = pipeline) =>
      withBaseHeaders(errorResponse(err, p.challenge(req), ctx.logger), req),
  };
}

function buildSchemes(ctx: Context): Partial<Record<SchemeName, Authenticator>> {
  const out: Partial<Record<SchemeName, Authenticator>> = {};
  for (const name of ctx.config.authentication) {
    const factory = SCHEME_FACTORIES[name];
    if (!factory)
      throw new ConfigError(`authentication: the "${name}" scheme is not available in this build`);
    out[name] = factory(ctx);
  }
  return out;
}
