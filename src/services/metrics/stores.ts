import { StoreUnavailable } from '../../core/errors.js';
import type { Stores } from '../../stores/types.js';
import type { GatehouseMetrics } from './registry.js';

const STORE_NAMES = ['users', 'sessions', 'apiTokens', 'jwtState', 'rateLimits', 'audit', 'mfa'] as const;

/**
 * The stores with every call timed into the metrics, by store and backend. Only built when the
 * metrics are on: the hot path of a server without them does not pay for the clock reads.
 *
 * @example
 * const timed = instrumentStores(stores, storeBackends(config), metrics);
 */
export function instrumentStores(
  stores: Stores,
  backends: Readonly<Record<(typeof STORE_NAMES)[number], string>>,
  metrics: GatehouseMetrics,
): Stores {
  const out: Stores = { ...stores, health: () => stores.health(), close: () => stores.close() };
  for (const name of STORE_NAMES) {
    (out as unknown as Record<string, object>)[name] = timed(stores[name], name, backends[name], metrics);
  }
  return out;
}

/** A view of one store whose methods report each call; everything else reads through. */
function timed<T extends object>(store: T, name: string, backend: string, metrics: GatehouseMetrics): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        fn = (...args: unknown[]) => call(target, value as (...a: unknown[]) => unknown, args);
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });

  function call(target: T, method: (...a: unknown[]) => unknown, args: unknown[]): unknown {
    const start = performance.now();
    const report = (failed: boolean) =>
      metrics.store(name, backend, (performance.now() - start) / 1000, failed);
    let result: unknown;
    try {
      result = method.apply(target, args);
    } catch (err) {
      report(err instanceof StoreUnavailable);
      throw err;
    }
    if (!(result instanceof Promise)) {
      report(false);
      return result;
    }
    return result.then(
      (value) => {
        report(false);
        return value;
      },
      (err: unknown) => {
        report(err instanceof StoreUnavailable);
        throw err;
      },
    );
  }
}
