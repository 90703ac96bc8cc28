import { resolve } from 'node:path';
import { parseRedisTopology } from './redis/topology.js';

/** Where a store lives, parsed from its URL. */
export type StoreUrl =
  | { kind: 'memory' }
  /** `filename` is an absolute path, or ':memory:'. */
  | { kind: 'sqlite'; filename: string }
  | { kind: 'postgres'; url: string }
  /**
   * `url` is what the client connects to (`redis://`, `rediss://`, `redis+cluster://` or
   * `redis+sentinel://`); `prefix` starts every key (default `gatehouse:`; set it with `?prefix=`
   * to keep several deployments apart on one Redis); `wait` is how many replicas must acknowledge
   * a write that spends or revokes before it counts (`?wait=`; 1 for sentinel, else 0).
   */
  | { kind: 'redis'; url: string; prefix: string; wait: number };

/** The key prefix of a Redis URL without `?prefix=`. */
export const DEFAULT_REDIS_PREFIX = 'gatehouse:';

const ACCEPTED =
  '"sqlite:./gatehouse.db", "sqlite::memory:", "postgres://user:pass@host/db", "redis://host", ' +
  '"redis+cluster://host:port,host:port", "redis+sentinel://host:port,host:port/mastername" or "memory:"';

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
    case 'redis+cluster':
    case 'redis+sentinel':
      return parseMultiHostRedisUrl(url, scheme);
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
  // The client would take every query parameter for one of its options; these are ours.
  const own = takeOwnParams(parsed.searchParams, 0);
  return { kind: 'redis', url: parsed.toString(), ...own };
}

/** A cluster's or sentinel setup's URL: several hosts, so not a WHATWG URL (see redis/topology.ts). */
function parseMultiHostRedisUrl(url: string, scheme: 'redis+cluster' | 'redis+sentinel'): StoreUrl {
  const hash = url.indexOf('#');
  const bare = hash < 0 ? url : url.slice(0, hash);
  const q = bare.indexOf('?');
  const params = new URLSearchParams(q < 0 ? '' : bare.slice(q + 1));
  // Sentinel fails over to a replica, so by default a spend or a revocation counts once one
  // replica has it: a failover then cannot lose it (docs/deployment.md).
  const own = takeOwnParams(params, scheme === 'redis+sentinel' ? 1 : 0);
  const query = params.toString();
  const clientUrl = (q < 0 ? bare : bare.slice(0, q)) + (query === '' ? '' : `?${query}`);
  parseRedisTopology(clientUrl); // throws on a malformed one, before anything connects
  return { kind: 'redis', url: clientUrl, ...own };
}

/** Reads and removes gatehouse's own parameters, `prefix` and `wait`, from a Redis URL's query. */
function takeOwnParams(params: URLSearchParams, defaultWait: number): { prefix: string; wait: number } {
  const prefix = params.get('prefix') ?? DEFAULT_REDIS_PREFIX;
  if (prefix === '') throw new Error('the prefix of a redis URL must not be empty');
  const waitText = params.get('wait');
  if (waitText !== null && !/^\d{1,2}$/.test(waitText)) {
    throw new Error('the wait of a redis URL is how many replicas must acknowledge a write: 0 to 99');
  }
  params.delete('prefix');
  params.delete('wait');
  return { prefix, wait: waitText === null ? defaultWait : Number(waitText) };
}
