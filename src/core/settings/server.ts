import { z } from 'zod';

/**
 * An origin a browser may call the server from: `scheme://host[:port]`, `scheme://*.example.com`
 * for every subdomain (the syntax of csrf.trustedOrigins), or `*` for any (without credentials).
 */
const corsOrigin = z
  .string()
  .regex(
    /^(\*|https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?)$/,
    'expected an origin with its scheme ("https://app.example.com", "https://*.example.com") or "*"',
  )
  .transform((s) => s.toLowerCase());

/**
 * CORS for a browser app on another origin (docs/spa.md). Off (no origins) by default: a
 * browser then keeps other origins' pages from reading any answer.
 *
 * @example
 * defineConfig({ secretKey, server: { cors: { origins: ['https://app.example.com'], credentials: true } } });
 */
export const corsSettings = z
  .object({
    /** Origins whose pages may call the API; `*` for any (then without credentials). */
    origins: z.array(corsOrigin).default([]),
    /**
     * Let those pages send cookies (`credentials: 'include'`): sessions and JWT cookies. Each origin
     * then also becomes a CSRF trusted origin.
     */
    credentials: z.boolean().default(false),
  })
  .strict();

export type CorsSettings = z.output<typeof corsSettings>;

/** The most worker processes `server.workers` takes: far beyond any core count, short of a fork bomb. */
export const MAX_WORKERS = 256;
const WORKERS_ACCEPTED = `expected a whole number from 1 to ${MAX_WORKERS}, or "auto" (one per core)`;

/** The standalone server's listener and limits. */
export const serverSettings = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8000),
    /**
     * Processes serving the port (`gatehouse serve --workers`): `'auto'` is one per core. Each
     * opens its own store connections, so the stores must be shared ones (a SQLite file,
     * PostgreSQL, Redis), never `memory:`.
     */
    workers: z
      .union(
        [
          z.number().int(WORKERS_ACCEPTED).min(1, WORKERS_ACCEPTED).max(MAX_WORKERS, WORKERS_ACCEPTED),
          z.literal('auto'),
        ],
        { error: WORKERS_ACCEPTED },
      )
      .default(1),
    /** Trust X-Forwarded-For/-Proto from these proxies (true: any; a list of addresses or CIDRs). */
    trustProxy: z.union([z.boolean(), z.array(z.string()), z.string()]).default(false),
    /** Largest request body accepted, in bytes. */
    bodyLimit: z
      .number()
      .int()
      .min(1024)
      .max(10 * 1024 * 1024)
      .default(64 * 1024),
    /** Largest total size of request headers, in bytes (node's --max-http-header-size). */
    maxHeaderSize: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024)
      .default(16 * 1024),
    /**
     * Hold each response until the event loop has read every request that is ready, then write
     * them together (see docs/performance.md): fewer wake-ups of the peer under load.
     */
    coalesceWrites: z.boolean().default(true),
    /** Cross-origin browser access (@fastify/cors). */
    cors: corsSettings.default(corsSettings.parse({})),
  })
  .strict();

export type ServerSettings = z.output<typeof serverSettings>;
