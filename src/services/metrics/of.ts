import { ConfigError } from '../../core/errors.js';
import type { Services } from '../types.js';
import type { GatehouseMetrics } from './registry.js';

/**
 * The metrics of a gatehouse, for an app that serves them itself (docs/metrics.md): its
 * `registry` to merge into the app's own, or `scrape()` for a `GET /metrics` handler. Throws a
 * ConfigError when `metrics.enabled` is off, so a forgotten setting fails at start-up, not as an
 * empty page.
 *
 * @example
 * const metrics = gatehouseMetrics(gh);
 * app.get('/metrics', async (_req, reply) => {
 *   const { contentType, body } = await metrics.scrape();
 *   reply.type(contentType).send(body);
 * });
 */
export function gatehouseMetrics(source: { services: Services } | Services): GatehouseMetrics {
  const services = 'services' in source ? source.services : source;
  if (!services.metrics)
    throw new ConfigError([{ path: 'metrics.enabled', message: 'is off: set metrics: { enabled: true }' }]);
  return services.metrics;
}
