import { z } from 'zod';
import type { GatehouseConfig, SchemeName } from '../core/config.js';
import { allowAny } from '../core/permissions.js';
import type { BoundRoute } from './dispatch.js';
import type { Gatehouse } from './gatehouse.js';
import type { Route } from './types.js';

/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1). */
export type JsonSchema = Record<string, unknown>;

/** A response object, or a reference to one under components.responses. */
export type OpenApiResponse =
  | { $ref: string }
  | {
      description: string;
      headers?: Record<string, { description: string; schema: JsonSchema }>;
      content?: Record<string, { schema: JsonSchema }>;
    };

export interface OpenApiOperation {
  operationId: string;
  summary?: string;
  security: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: 'path'; required: true; schema: JsonSchema }>;
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, OpenApiResponse>;
}

/** The parts of an OpenAPI 3.1 document gatehouse writes. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  servers?: Array<{ url: string; description?: string }>;
  paths: Record<string, Partial<Record<Lowercase<Route['method']>, OpenApiOperation>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, OpenApiResponse>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
}

export interface OpenApiOptions {
  title?: string;
  version?: string;
  description?: string;
  /** Where the contract is mounted (the adapter's `prefix`), e.g. `/auth`. Default ''. */
  prefix?: string;
  servers?: Array<{ url: string; description?: string }>;
}

/** DRF's error shapes, shared by every operation. */
const SCHEMAS: Record<string, JsonSchema> = {
  Error: {
    type: 'object',
    required: ['detail', 'code'],
    properties: { detail: { type: 'string' }, code: { type: 'string' } },
  },
  FieldErrors: {
    type: 'object',
    description: 'DRF serializer errors: each field (or non_field_errors) maps to its messages.',
    additionalProperties: { type: 'array', items: { type: 'string' } },
  },
};

const ERROR = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

const RESPONSES: Record<string, OpenApiResponse> = {
  BadRequest: {
    description: 'Malformed body (`parse_error`) or field errors (DRF serializer shape).',
    content: {
      'application/json': {
        schema: {
          oneOf: [{ $ref: '#/components/schemas/Error' }, { $ref: '#/components/schemas/FieldErrors' }],
        },
      },
    },
  },
  Unauthorized: {
    description: 'No or wrong credentials; the challenge of the first configured scheme.',
    headers: { 'WWW-Authenticate': { description: 'The challenge', schema: { type: 'string' } } },
    content: ERROR,
  },
  Forbidden: {
    description: 'Not allowed, a CSRF failure, or unauthenticated when the first scheme is session.',
    content: ERROR,
  },
  PayloadTooLarge: { description: 'The body is over `server.bodyLimit`.', content: ERROR },
  UnsupportedMediaType: { description: 'The body is not JSON.', content: ERROR },
  ServiceUnavailable: { description: 'A store is down; the request is refused.', content: ERROR },
};

/**
 * The OpenAPI 3.1 description of the contract a gatehouse serves, made from the same zod schemas
 * the routes validate with, so the document cannot drift from the code. Routes without schemas
 * are listed all the same, with their security and error responses.
 *
 * @example
 * const doc = buildOpenApi(gh, { prefix: '/auth' });
 * app.get('/openapi.json', () => doc);
 */
export function buildOpenApi(
  gh: Pick<Gatehouse, 'routes' | 'ctx'>,
  opts: OpenApiOptions = {},
): OpenApiDocument {
  const config = gh.ctx.config;
  const prefix = (opts.prefix ?? '').replace(/\/+$/, '');
  const doc: OpenApiDocument = {
    openapi: '3.1.0',
    info: {
      title: opts.title ?? 'gatehouse',
      version: opts.version ?? '1',
      description:
        opts.description ??
        'Authentication endpoints (DRF and simplejwt wire shapes). Errors: {detail, code}.',
    },
    paths: {},
    components: {
      schemas: { ...SCHEMAS },
      responses: { ...RESPONSES },
      securitySchemes: securitySchemes(config),
    },
  };
  if (opts.servers) doc.servers = opts.servers;
  for (const bound of gh.routes) {
    const path = prefix + bound.route.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
    const item = doc.paths[path] ?? {};
    item[lower(bound.route.method)] = operation(bound, config, path);
    doc.paths[path] = item;
  }
  return doc;
}

function lower(method: Route['method']): Lowercase<Route['method']> {
  return method.toLowerCase() as Lowercase<Route['method']>;
}

function operation(bound: BoundRoute, config: GatehouseConfig, path: string): OpenApiOperation {
  const { route } = bound;
  const schemes = (route.schemes ?? config.authentication).filter((s) => config.authentication.includes(s));
  const security: Array<Record<string, string[]>> = schemes.map((s) => ({ [s]: [] }));
  // An empty requirement object: the route also answers anonymous callers.
  if (security.length && route.permission === allowAny) security.push({});
  const op: OpenApiOperation = {
    operationId: `${lower(route.method)}${path.replace(/[^A-Za-z0-9]+/g, '_').replace(/_+$/, '')}`,
    security,
    responses: {},
  };
  if (route.summary) op.summary = route.summary;
  const params = [...route.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
  if (params.length) {
    op.parameters = params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  }
  const hasBody = route.body !== undefined || ['POST', 'PUT', 'PATCH'].includes(route.method);
  if (route.body) {
    const schema = toSchema(route.body, 'input');
    op.requestBody = {
      required: true,
      content: {
        'application/json': { schema },
        // DRF's default parsers, on every route (contract/parse-body.ts).
        'application/x-www-form-urlencoded': { schema },
        'multipart/form-data': { schema },
      },
    };
  }
  for (const [status, doc] of Object.entries(route.responses ?? {})) {
    op.responses[status] = doc.body
      ? {
          description: doc.description,
          content: { 'application/json': { schema: toSchema(doc.body, 'output') } },
        }
      : { description: doc.description };
  }
  if (!Object.keys(op.responses).some((s) => s.startsWith('2')))
    op.responses['2XX'] = { description: 'Success' };
  const ref = (name: string): OpenApiResponse => ({ $ref: `#/components/responses/${name}` });
  if (hasBody) {
    op.responses['400'] ??= ref('BadRequest');
    op.responses['413'] ??= ref('PayloadTooLarge');
    op.responses['415'] ??= ref('UnsupportedMediaType');
  }
  const needsAuth = route.permission !== allowAny && schemes.length > 0;
  if (needsAuth || route.challenge) op.responses['401'] ??= ref('Unauthorized');
  if (route.permission !== allowAny) op.responses['403'] ??= ref('Forbidden');
  op.responses['503'] ??= ref('ServiceUnavailable');
  return op;
}

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  // The document's dialect is already 2020-12; a per-schema $schema would only add noise.
  delete out.$schema;
  return out;
}

function securitySchemes(config: GatehouseConfig): Record<string, Record<string, unknown>> {
  const all: Record<SchemeName, Record<string, unknown>> = {
    session: {
      type: 'apiKey',
      in: 'cookie',
      name: config.sessions.cookieName,
      description:
        'Session cookie from POST /api/auth/login/. Unsafe methods also need a trusted Origin and ' +
        'the X-CSRFToken header matching the csrftoken cookie.',
    },
    token: {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description: `Opaque API key: \`Authorization: ${config.tokens.keyword} <key>\` (DRF TokenAuthentication).`,
    },
    jwt:
      config.jwt.authHeaderTypes[0] === 'Bearer'
        ? { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }
        : {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: `\`Authorization: ${config.jwt.authHeaderTypes[0]} <access token>\``,
          },
    basic: { type: 'http', scheme: 'basic', description: 'For tests and local tools only.' },
  };
  const out: Record<string, Record<string, unknown>> = {};
  for (const name of config.authentication) out[name] = all[name];
  return out;
}
