import { ConfigError } from '../core/errors.js';

/**
 * Loads code that needs optional peer dependencies of gatehouse-auth: the database drivers (an
 * app on SQLite installs neither `pg` nor `ioredis`) and the standalone server's Fastify (an
 * Express or Hono app never installs it). When one of `packages` is missing, the error says
 * what needs it and the command that installs it, instead of Node's bare ERR_MODULE_NOT_FOUND.
 *
 * @example
 * const { default: pg } = await importOptional(['pg'], 'postgres:// URLs need', () => import('pg'));
 */
export async function importOptional<T>(
  packages: readonly string[],
  neededBy: string,
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const missing = packages.find((name) => isMissingPackage(err, name));
    if (missing === undefined) throw err;
    const list = packages.map((p) => `"${p}"`).join(' and ');
    const noun =
      packages.length > 1 ? 'packages, optional peer dependencies' : 'package, an optional peer dependency';
    // Not one key's fault (several settings lead here): no key, no heading.
    throw new ConfigError(
      [
        {
          path: '',
          message: `${neededBy} the ${list} ${noun} of gatehouse-auth; "${missing}" is not installed: run \`npm install ${packages.join(' ')}\``,
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
    (message.includes(`'${name}'`) || message.includes(`/node_modules/${name}/`))
  );
}
