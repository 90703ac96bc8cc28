import type { Gatehouse } from '../contract/gatehouse.js';
import type { HttpResponse } from '../contract/types.js';
import {
  GatehouseError,
  MalformedUrl,
  ParseError,
  PayloadTooLarge,
  UnsupportedMediaType,
  UriTooLong,
} from '../core/errors.js';
import type { AuthRequest } from '../core/request.js';
import { StoreUnavailable } from '../stores/errors.js';
import { withCredentialHeaders } from './headers.js';

/** What a framework's error may carry: Fastify's `statusCode`/`code`, http-errors' `status`/`limit`. */
interface FrameworkErrorShape {
  status?: unknown;
  statusCode?: unknown;
  code?: unknown;
  limit?: unknown;
}

/**
 * A framework's own client error (Fastify's, Express's body parsers', any http-errors style 4xx)
 * as the gatehouse error it stands for, so it is answered in DRF's shape and wording:
 * 400 → `parse_error`, 413 → `payload_too_large`, 415 → `unsupported_media_type`, Fastify's
 * router refusals → `malformed_url` (400) and `uri_too_long` (414), another 4xx keeps its status
 * with the framework's code. Gatehouse errors, store outages and anything that
 * is not a 4xx are returned as they are: the contract answers them (a 5xx is logged and reveals
 * nothing).
 *
 * @example
 * toGatehouseError(fastifyError, { bodyLimit: 65536, contentType: 'text/csv' }); // UnsupportedMediaType
 */
export function toGatehouseError(
  err: unknown,
  request: { bodyLimit: number; contentType?: string | undefined },
): unknown {
  if (err instanceof GatehouseError || err instanceof StoreUnavailable) return err;
  if (err === null || typeof err !== 'object') return err;
  const shape = err as FrameworkErrorShape;
  const status = typeof shape.statusCode === 'number' ? shape.statusCode : shape.status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return err;
  // The router's own refusals (Fastify's frameworkErrors): their messages echo the raw path.
  if (shape.code === 'FST_ERR_BAD_URL') return new MalformedUrl();
  if (shape.code === 'FST_ERR_MAX_PARAM_LENGTH') return new UriTooLong();
  const message = err instanceof Error ? err.message : 'Malformed request.';
  switch (status) {
    case 400:
      return new ParseError(message);
    case 413:
      // The limit that refused it: the body parser's own when it says, else gatehouse's.
      return new PayloadTooLarge(Number(shape.limit) || request.bodyLimit);
    case 415:
      return new UnsupportedMediaType(request.contentType ?? '');
    default:
      return new GatehouseError(
        status,
        typeof shape.code === 'string' ? shape.code.toLowerCase() : 'error',
        message,
      );
  }
}

/**
 * The answer to an error that reached a framework's error handler: mapped by `toGatehouseError`,
 * answered by the contract (its status, body, challenge and baseline headers), and marked as
 * depending on the caller.
 *
 * @example
 * sendResponse(reply, errorAnswer(gh, error, toAuthRequest(request)));
 */
export function errorAnswer(gh: Gatehouse, err: unknown, req: AuthRequest): HttpResponse {
  const mapped = toGatehouseError(err, {
    bodyLimit: gh.ctx.config.server.bodyLimit,
    contentType: req.headers['content-type'],
  });
  return withCredentialHeaders(gh.errorResponse(mapped, req));
}
