import { z } from 'zod';

/** The standalone server's listener and limits. */
export const serverSettings = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8000),
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
  })
  .strict();

export type ServerSettings = z.output<typeof serverSettings>;
