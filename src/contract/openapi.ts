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
      headers?: Record<string, { description: string; required?: boolean; schema: JsonSchema }>;
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
    properties: {
      detail: { type: 'string' },
      code: { type: 'string', description: 'Stable: clients switch on it (docs/errors.md).' },
      messages: {
        type: 'array',
        description:
          "simplejwt's list on a 401 `token_not_valid`: each token class tried and why it refused the token.",
        items: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    additionalProperties: false,
  },
  FieldErrors: {
    type: 'object',
    description: 'DRF serializer errors: each field (or non_field_errors) maps to its messages.',
    additionalProperties: { type: 'array', items: { type: 'string' } },
  },
};

const ERROR = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

/** The challenge every 401 carries: the refusing scheme's, or the route's. */
const CHALLENGE = {
  'WWW-Authenticate': {
    description: 'The challenge of the scheme that refused the credential, or of the route.',
    required: true,
    schema: { type: 'string' },
  },
};
const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait.', required: true, schema: { type: 'string' } },
};
/** The headers an error answer of this status always carries. */
const ERROR_HEADERS: Record<
  string,
  Record<string, { description: string; required?: boolean; schema: JsonSchema }>
> = {
  '401': CHALLENGE,
  '429': RETRY_AFTER,
};

const RESPONSES: Record<string, OpenApiResponse> = {
  BadRequest: {
    description:
      'Malformed body (`parse_error`), field errors (DRF serializer shape), or a path that does not ' +
      'decode (`malformed_url`).',
    content: {
      'application/json': {
        schema: {
          oneOf: [{ $ref: '#/components/schemas/Error' }, { $ref: '#/components/schemas/FieldErrors' }],
        },
      },
    },
  },
  Unauthorized: {
    description:
      'A credential was presented and refused (the challenge of the scheme that refused it; a JWT ' +
      "refusal carries simplejwt's `messages`), or none came and the first scheme has a challenge.",
    headers: CHALLENGE,
    content: ERROR,
  },
  Forbidden: {
    description:
      'Not allowed (`permission_denied`, a scope missing), a CSRF failure (`csrf_*`), or ' +
      'unauthenticated when the first scheme is session (`not_authenticated`, as in DRF).',
    content: ERROR,
  },
  PayloadTooLarge: { description: 'The body is over `server.bodyLimit`.', content: ERROR },
  UriTooLong: {
    description: 'A path segment longer than the router accepts (`uri_too_long`; Fastify and the server).',
    content: ERROR,
  },
  UnsupportedMediaType: {
    description: 'The body is not JSON, a form or multipart (`unsupported_media_type`).',
    content: ERROR,
  },
  Throttled: {
    description:
      'Too many requests (`throttled`): password checks, Basic included, are throttled per client and per username.',
    headers: RETRY_AFTER,
    content: ERROR,
  },
  ServiceUnavailable: {
    description:
      'A store is down or the password hashing queue is full (`service_unavailable`): refused, fail ' +
      'closed. Hono without a client address answers `client_address_unknown`.',
    content: ERROR,
  },
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
      // An absent body is read as {} (contract/validate.ts): required only when {} is refused.
      required: !route.body.safeParse({}).success,
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
      : status.startsWith('2')
        ? { description: doc.description }
        : // An error the route declares is answered like every other: {detail, code}.
          { description: doc.description, ...withHeaders(status), content: ERROR };
  }
  if (!Object.keys(op.responses).some((s) => s.startsWith('2')))
    op.responses['2XX'] = { description: 'Success' };
  const ref = (name: string): OpenApiResponse => ({ $ref: `#/components/responses/${name}` });
  if (hasBody || params.length) op.responses['400'] ??= ref('BadRequest');
  if (hasBody) {
    op.responses['413'] ??= ref('PayloadTooLarge');
    op.responses['415'] ??= ref('UnsupportedMediaType');
  }
  if (params.length) op.responses['414'] ??= ref('UriTooLong');
  // A credential that is presented and refused is a 401 on any route that reads credentials.
  if (schemes.length > 0 || route.challenge) op.responses['401'] ??= ref('Unauthorized');
  // A cookie credential (a session, or a JWT cookie) must also pass CSRF on an unsafe method.
  const cookieCredential =
    schemes.includes('session') || (schemes.includes('jwt') && config.jwt.cookie !== null);
  const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(route.method);
  if (route.permission !== allowAny || (cookieCredential && unsafe)) op.responses['403'] ??= ref('Forbidden');
  // Basic checks a password on every request: throttled like a login.
  if (schemes.includes('basic')) op.responses['429'] ??= ref('Throttled');
  op.responses['503'] ??= ref('ServiceUnavailable');
  return op;
}

function withHeaders(status: string): Pick<Exclude<OpenApiResponse, { $ref: string }>, 'headers'> {
  const headers = ERROR_HEADERS[status];
  return headers ? { headers } : {};
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
