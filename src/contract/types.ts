import type { z } from 'zod';
import type { SchemeName } from '../core/config.js';
import type { Permission } from '../core/permissions.js';
import type { AuthRequest } from '../core/request.js';
import type { AuthResult } from '../core/scheme.js';
import type { Services } from '../services/types.js';

/** A framework-neutral response: adapters copy it onto their own. */
export interface HttpResponse {
  status: number;
  /** Lower-case names; `set-cookie` may be a list. */
  headers?: Record<string, string | string[]>;
  /** Serialised as JSON unless it is a string (then sent as is, with the content-type given). */
  body?: unknown;
}

/** What a route handler receives. */
export interface RouteContext {
  readonly req: AuthRequest;
  /** Path parameters (`:id`). */
  readonly params: Readonly<Record<string, string>>;
  /** The parsed body: a JSON value, or a string map for a form. Undefined when there is none. */
  readonly body: unknown;
  /** Who is calling, as the route's schemes established it; null for anonymous. */
  readonly auth: AuthResult | null;
}

/** One route of the HTTP contract. */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** With a trailing slash, as in the contract; adapters also answer without it. `:name` for params. */
  path: string;
  /** Who may call it. */
  permission: Permission;
  /**
   * The schemes that authenticate this route, in order (DRF's per-view authentication_classes).
   * Default: every configured scheme. `[]` for routes that take credentials in the body (login).
   */
  schemes?: readonly SchemeName[];
  /**
   * WWW-Authenticate for a 401 on a route without schemes; simplejwt's token views answer
   * `Bearer realm="api"`. Without it (and without schemes) a 401 becomes 403, as in DRF.
   */
  challenge?: string;
  /** One line for the OpenAPI document (optional: every route is listed either way). */
  summary?: string;
  /** The zod schema the handler validates its body with; the OpenAPI request body is made from it. */
  body?: z.ZodType;
  /** Success responses for the OpenAPI document; error responses are added from the route's shape. */
  responses?: Readonly<Record<number, RouteResponseDoc>>;
  handler(ctx: RouteContext): Promise<HttpResponse>;
}

/** One documented response of a route. */
export interface RouteResponseDoc {
  description: string;
  /** The body's shape; none for 204. */
  body?: z.ZodType;
}

/** A module of the contract: builds its routes once, from the services `createServices` made. */
export type RouteFactory = (services: Services) => Route[];
