import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { CREDENTIAL_HEADERS, HARDENING_HEADERS } from '../contract/headers.js';

/** The contract's baseline (docs/architecture.md, "Headers") as raw header lines. */
const BASELINE = Object.entries({ ...CREDENTIAL_HEADERS, ...HARDENING_HEADERS })
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

/**
 * Requests Node's parser refuses before any route runs (a header block over the limit, broken
 * framing, a bad method) still get DRF's body shape and the baseline headers, like every other
 * answer of gatehouse; node itself answers a bare `400 Bad Request` with no body. The connection
 * is closed after: its framing cannot be trusted. The standalone server installs it; an app
 * hands it to its node server.
 *
 * @example
 * const server = app.listen(8000); // Express, or @hono/node-server's serve()
 * server.on('clientError', clientErrorHandler);
 * // Fastify: Fastify({ clientErrorHandler, frameworkErrors })
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail, code] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request header fields too large.', 'headers_too_large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request timeout.', 'request_timeout']
        : [400, 'Malformed HTTP request.', 'bad_request'];
  const body = JSON.stringify({ detail, code });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        BASELINE +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(err);
}
