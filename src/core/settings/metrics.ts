import { z } from 'zod';

/**
 * The Prometheus endpoint of the standalone server (docs/metrics.md). Off by default; when on,
 * `GET /metrics` answers loopback clients only, unless `token` (a bearer secret) or `port` (a
 * separate listener) says how else it is protected: it is never public by accident.
 *
 * @example
 * defineConfig({ secretKey, metrics: { enabled: true, token: process.env.METRICS_TOKEN } });
 */
export const metricsSettings = z
  .object({
    /** Count and serve the metrics. */
    enabled: z.boolean().default(false),
    /**
     * A bearer secret (`Authorization: Bearer <token>`, compared in constant time): any client
     * that presents it may scrape, from anywhere. 32+ characters.
     */
    token: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
    /** Serve `/metrics` on its own listener (and no longer on the server's port). */
    port: z.number().int().min(0).max(65535).optional(),
    /** The address that listener binds; loopback unless set. */
    host: z.string().min(1).default('127.0.0.1'),
  })
  .strict();

export type MetricsSettings = z.output<typeof metricsSettings>;
