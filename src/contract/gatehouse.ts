import type { SchemeName } from '../core/config.js';
import type { Context } from '../core/context.js';
import type { Pipeline } from '../core/pipeline.js';
import type { AuthRequest } from '../core/request.js';
import type { AuthResult } from '../core/scheme.js';
import { createServices, type ServicesOptions } from '../services/create.js';
import type { Services } from '../services/types.js';
import { type BoundRoute, type DispatchInput, dispatch } from './dispatch.js';
import { errorResponse } from './error-response.js';
import { withBaseHeaders } from './headers.js';
import { CONTRACT } from './routes.js';
import type { HttpResponse, Route, RouteFactory } from './types.js';

export interface GatehouseOptions extends ServicesOptions {
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
 * Builds a gatehouse: its services (`createServices`, the one place they are made) and the
 * contract's routes over them, once; requests only read them.
 *
 * @example
 * const gh = createGatehouse({ config: defineConfig({ secretKey }), stores: createMemoryStores() });
 */
export function createGatehouse(options: GatehouseOptions): Gatehouse {
  const services = createServices(options);
  const { ctx, pipeline, pipelineFor } = services;
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
