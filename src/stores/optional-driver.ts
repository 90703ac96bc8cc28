import { ConfigError } from '../core/errors.js';

/** The drivers that are optional peer dependencies, and the URLs that need each. */
const NEEDED_FOR = { pg: 'postgres:// URLs', ioredis: 'redis:// URLs' } as const;

/**
 * Loads a driver that is an optional peer dependency: an app on SQLite (or an Express app that
 * never configures Redis) installs neither `pg` nor `ioredis`. When the driver is missing, the
 * error names the package to install instead of Node's bare ERR_MODULE_NOT_FOUND.
 *
 * @example
 * const { default: pg } = await importDriver('pg', () => import('pg'));
 */
export async function importDriver<T>(name: keyof typeof NEEDED_FOR, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (!isMissingPackage(err, name)) throw err;
    // Not one key's fault (database and redis URLs both lead here): no key, no heading.
    throw new ConfigError(
      [
        {
          path: '',
          message: `${NEEDED_FOR[name]} need the "${name}" package, an optional peer dependency of gatehouse-auth that is not installed: run \`npm install ${name}\``,
        },
      ],
      null,
    );
  }
}

function isMissingPackage(err: unknown, name: string): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    message.includes(`'${name}'`)
  );
}
