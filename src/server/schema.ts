import type { FastifyInstance } from 'fastify';
import type { Gatehouse } from '../contract/gatehouse.js';
import {
  buildOpenApi,
  type JsonSchema,
  type OpenApiDocument,
  type OpenApiOperation,
} from '../contract/openapi.js';

/** The paths `GET /api/schema/` is served at. */
export const SCHEMA_PATHS = ['/api/schema/', '/api/schema'] as const;

const health = (status: JsonSchema): JsonSchema => ({
  type: 'object',
  required: ['status', 'stores'],
  properties: {
    status,
    stores: {
      type: 'object',
      description: 'Each store backend and its state.',
      additionalProperties: { enum: ['ok', 'down'] },
    },
    worker: {
      type: 'integer',
      minimum: 1,
      description: 'The worker process that answered (`gatehouse serve --workers`); absent with one process.',
    },
  },
  additionalProperties: false,
});

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

/** The standalone server's own routes (app.ts): they take no credentials and read no body. */
const SERVER_PATHS: Record<string, OpenApiOperation> = {
  '/healthz': {
    operationId: 'get_healthz',
    summary: 'Liveness: the process answers (no store is asked).',
    security: [],
    responses: {
      '200': {
        description: 'Alive.',
        content: json({
          type: 'object',
          required: ['status'],
          properties: { status: { const: 'ok' } },
          additionalProperties: false,
        }),
      },
    },
  },
  '/readyz': {
    operationId: 'get_readyz',
    summary: 'Readiness: every store answers.',
    security: [],
    responses: {
      '200': { description: 'Every store is up.', content: json(health({ const: 'ok' })) },
      '503': { description: 'A store is down.', content: json(health({ const: 'unavailable' })) },
    },
  },
  '/api/schema/': {
    operationId: 'get_api_schema',
    summary: 'This document (OpenAPI 3.1).',
    security: [],
    responses: {
      '200': {
        description: 'The OpenAPI 3.1 document of this server.',
        content: json({ type: 'object', required: ['openapi', 'info', 'paths'] }),
      },
    },
  },
};

const errorBody = json({ $ref: '#/components/schemas/Error' });

/** `GET /metrics` on the server's port (docs/metrics.md): documented only where it is served. */
const METRICS_PATH: OpenApiOperation = {
  operationId: 'get_metrics',
  summary: 'Prometheus metrics: to loopback clients, or with the metrics.token bearer secret.',
  security: [],
  responses: {
    '200': {
      description: 'The Prometheus text exposition format.',
      content: { 'text/plain': { schema: { type: 'string' } } },
    },
    '401': { description: 'metrics.token is set and was not presented, or is wrong.', content: errorBody },
    '403': { description: 'Not a loopback client (no metrics.token is set).', content: errorBody },
  },
};

/**
 * The document the standalone server serves: the contract's (`buildOpenApi`) and the server's
 * own routes, the health checks and the schema itself, which adapter users do not have.
 *
 * @example
 * const doc = serverOpenApi(gh); // doc.paths['/readyz']
 */
export function serverOpenApi(gh: Pick<Gatehouse, 'routes' | 'ctx'>): OpenApiDocument {
  const doc = buildOpenApi(gh);
  for (const [path, get] of Object.entries(SERVER_PATHS)) doc.paths[path] = { get };
  const { metrics } = gh.ctx.config;
  if (metrics.enabled && metrics.port === undefined) doc.paths['/metrics'] = { get: METRICS_PATH };
  return doc;
}

/** Serves the document at /api/schema/, built once (the routes are fixed at start-up). */
export function registerSchema(app: FastifyInstance, gh: Gatehouse): void {
  const body = JSON.stringify(serverOpenApi(gh));
  for (const url of SCHEMA_PATHS) {
    app.get(url, async (_req, reply) => reply.type('application/json; charset=utf-8').send(body));
  }
}
