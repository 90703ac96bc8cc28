import { resolve } from 'node:path';

/** Where a store lives, parsed from its URL. */
export type StoreUrl =
  | { kind: 'memory' }
  /** `filename` is an absolute path, or ':memory:'. */
  | { kind: 'sqlite'; filename: string }
  | { kind: 'postgres'; url: string }
  /**
   * `url` is what the client connects to; `prefix` starts every key (default `gatehouse:`; set it
   * with `?prefix=` to keep several deployments apart on one Redis).
   */
  | { kind: 'redis'; url: string; prefix: string };

/** The key prefix of a Redis URL without `?prefix=`. */
export const DEFAULT_REDIS_PREFIX = 'gatehouse:';

const ACCEPTED =
  '"sqlite:./gatehouse.db", "sqlite::memory:", "postgres://user:pass@host/db", "redis://host" or "memory:"';

/**
 * Parses a store URL. A relative SQLite path is resolved against `cwd`.
 * The error never echoes the URL back: it may carry a password.
 *
 * @example
 * parseStoreUrl('sqlite:./data/gatehouse.db', '/srv/app'); // { kind: 'sqlite', filename: '/srv/app/data/gatehouse.db' }
 */
export function parseStoreUrl(url: string, cwd: string = process.cwd()): StoreUrl {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'memory':
      return { kind: 'memory' };
    case 'sqlite': {
      // Accept sqlite:path, sqlite://path and sqlite:///absolute/path.
      const rest = url.slice('sqlite:'.length).replace(/^\/\//, '');
      if (rest === '') throw new Error(`a sqlite URL needs a file name; expected ${ACCEPTED}`);
      return { kind: 'sqlite', filename: rest === ':memory:' ? rest : resolve(cwd, rest) };
    }
    case 'postgres':
    case 'postgresql':
      return { kind: 'postgres', url };
    case 'redis':
    case 'rediss':
      return parseRedisUrl(url);
    default:
      throw new Error(`unsupported store URL scheme ${JSON.stringify(scheme ?? '')}; expected ${ACCEPTED}`);
  }
}

function parseRedisUrl(url: string): StoreUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`a redis URL must look like "redis://[:password@]host[:port][/db][?prefix=app:]"`);
  }
  const prefix = parsed.searchParams.get('prefix') ?? DEFAULT_REDIS_PREFIX;
  if (prefix === '') throw new Error('the prefix of a redis URL must not be empty');
  // The client would take every query parameter for one of its options; this one is ours.
  parsed.searchParams.delete('prefix');
  return { kind: 'redis', url: parsed.toString(), prefix };
}
