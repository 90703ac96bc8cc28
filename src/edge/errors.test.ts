import { describe, expect, it } from 'vitest';
import {
  type GatehouseError,
  MalformedUrl,
  ParseError,
  PayloadTooLarge,
  PermissionDenied,
  UnsupportedMediaType,
  UriTooLong,
} from '../core/errors.js';
import { StoreUnavailable } from '../stores/errors.js';
import { toGatehouseError } from './errors.js';
import { allowHeader } from './method-not-allowed.js';

const LIMIT = { bodyLimit: 4096, contentType: 'text/csv' };

/** A framework error the way Fastify (statusCode, code) or http-errors (status, limit) builds one. */
function frameworkError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('toGatehouseError: one rule for Fastify, Express and Hono errors', () => {
  it('keeps gatehouse errors and store outages as they are', () => {
    const denied = new PermissionDenied('Not your note.', 'not_owner');
    expect(toGatehouseError(denied, LIMIT)).toBe(denied);
    const down = new StoreUnavailable('sessions');
    expect(toGatehouseError(down, LIMIT)).toBe(down);
  });

  it('maps a 400 to parse_error with the framework’s message', () => {
    for (const err of [
      frameworkError('Body is not valid JSON', { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }),
      frameworkError('Unexpected token', { status: 400, type: 'entity.parse.failed' }),
    ]) {
      const mapped = toGatehouseError(err, LIMIT);
      expect(mapped).toBeInstanceOf(ParseError);
      expect((mapped as ParseError).body()).toEqual({ detail: err.message, code: 'parse_error' });
    }
  });

  it('maps a 413 to payload_too_large with the parser’s limit, else the configured one', () => {
    const express = toGatehouseError(frameworkError('too large', { status: 413, limit: 100 }), LIMIT);
    expect(express).toBeInstanceOf(PayloadTooLarge);
    expect((express as PayloadTooLarge).message).toContain('100 bytes');
    const fastify = toGatehouseError(
      frameworkError('too large', { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }),
      LIMIT,
    );
    expect((fastify as PayloadTooLarge).message).toContain('4096 bytes');
  });

  it('maps a 415 to unsupported_media_type naming the request’s content type', () => {
    for (const err of [
      frameworkError('Unsupported Media Type', { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }),
      frameworkError('unsupported charset "X"', { status: 415, type: 'charset.unsupported' }),
    ]) {
      const mapped = toGatehouseError(err, LIMIT);
      expect(mapped).toBeInstanceOf(UnsupportedMediaType);
      expect((mapped as UnsupportedMediaType).body()).toMatchObject({ code: 'unsupported_media_type' });
      expect((mapped as UnsupportedMediaType).message).toContain('text/csv');
    }
  });

  it('answers Fastify’s router refusals with their own codes, not the raw path they echo', () => {
    const long = toGatehouseError(
      frameworkError("'/api/auth/tokens/aaaa/' is exceeding the max param length", {
        statusCode: 414,
        code: 'FST_ERR_MAX_PARAM_LENGTH',
      }),
      LIMIT,
    );
    expect(long).toBeInstanceOf(UriTooLong);
    expect((long as GatehouseError).status).toBe(414);
    const bad = toGatehouseError(
      frameworkError("'/api/%zz' is not a valid url component", { statusCode: 400, code: 'FST_ERR_BAD_URL' }),
      LIMIT,
    );
    expect(bad).toBeInstanceOf(MalformedUrl);
    expect((bad as GatehouseError).body()).toMatchObject({ code: 'malformed_url' });
  });

  it('keeps another 4xx’s status, with the framework’s code when it has one', () => {
    const long = toGatehouseError(
      frameworkError('header too long', { statusCode: 431, code: 'FST_ERR_HEADER_TOO_LONG' }),
      LIMIT,
    ) as GatehouseError;
    expect(long.status).toBe(431);
    expect(long.body()).toEqual({ detail: 'header too long', code: 'fst_err_header_too_long' });
    const verify = toGatehouseError(frameworkError('bad', { status: 403 }), LIMIT) as GatehouseError;
    expect([verify.status, verify.body()]).toEqual([403, { detail: 'bad', code: 'error' }]);
  });

  it('leaves 5xx, statusless errors and non-errors alone: the contract answers a hidden 500', () => {
    const crash = new Error('the notes table is on fire');
    expect(toGatehouseError(crash, LIMIT)).toBe(crash);
    const server = frameworkError('boom', { statusCode: 500 });
    expect(toGatehouseError(server, LIMIT)).toBe(server);
    const timeout = frameworkError('timeout', { statusCode: 503, code: 'FST_ERR_HANDLER_TIMEOUT' });
    expect(toGatehouseError(timeout, LIMIT)).toBe(timeout);
    expect(toGatehouseError('a string', LIMIT)).toBe('a string');
    expect(toGatehouseError(null, LIMIT)).toBe(null);
  });
});

describe('allowHeader', () => {
  it('lists each method once, with HEAD wherever GET is', () => {
    expect(allowHeader(['POST'])).toBe('POST');
    expect(allowHeader(['GET', 'DELETE'])).toBe('GET, DELETE, HEAD');
    expect(allowHeader(['GET', 'HEAD'])).toBe('GET, HEAD');
  });
});
