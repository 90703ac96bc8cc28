/** A Redis server, a cluster node or a sentinel. */
export interface RedisAddress {
  host: string;
  port: number;
}

/** Credentials of a cluster's nodes, or of a sentinel setup's master and replicas. */
interface RedisCredentials {
  username?: string | undefined;
  password?: string | undefined;
}

/** How to reach Redis: one server, a cluster, or the master a set of sentinels points at. */
export type RedisTopology =
  | { kind: 'single'; url: string }
  | ({ kind: 'cluster'; nodes: RedisAddress[] } & RedisCredentials)
  | ({
      kind: 'sentinel';
      sentinels: RedisAddress[];
      /** The master group's name, as in the sentinels' `sentinel monitor <name> …`. */
      name: string;
      db: number;
      /** The sentinels' own password (`?sentinelPassword=`), when they require one. */
      sentinelPassword?: string | undefined;
    } & RedisCredentials);

export const CLUSTER_SHAPE = '"redis+cluster://[:password@]host:port,host:port[?prefix=app:]"';
export const SENTINEL_SHAPE =
  '"redis+sentinel://[:password@]host:port,host:port/mastername[/db][?prefix=app:&sentinelPassword=…]"';

const MULTI_HOST =
  /^(redis\+cluster|redis\+sentinel):\/\/(?:([^@/?#]*)@)?([^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?$/i;

/** `host:port` or `[v6]:port`; the port is required (a cluster or sentinel has no one default). */
function parseAddress(text: string, shape: string): RedisAddress {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/i.exec(text.trim());
  const port = Number(m?.[3]);
  if (!m || port < 1 || port > 65_535) {
    const kind = shape === CLUSTER_SHAPE ? 'cluster' : 'sentinel';
    throw new Error(`each host of a Redis ${kind} URL is host:port; expected ${shape}`);
  }
  return { host: (m[1] ?? m[2]) as string, port };
}

function parseCredentials(userinfo: string | undefined): RedisCredentials {
  if (userinfo === undefined || userinfo === '') return {};
  const colon = userinfo.indexOf(':');
  const user = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1));
  return { ...(user !== '' && { username: user }), ...(password !== undefined && { password }) };
}

/**
 * Parses a `redis+cluster://` or `redis+sentinel://` URL (several hosts, which WHATWG URLs cannot
 * hold) into its topology; any other URL is a single server's, handed to the client as it is.
 * The query must already be free of gatehouse's own parameters (`prefix`, `wait`); what is left
 * is `sentinelPassword` (sentinel only), anything else is refused. The errors never echo the URL
 * back: it may carry a password.
 *
 * @example
 * parseRedisTopology('redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster/0');
 * // { kind: 'sentinel', sentinels: [{ host: '10.0.0.1', port: 26379 }, …], name: 'mymaster', db: 0 }
 */
export function parseRedisTopology(url: string): RedisTopology {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme !== 'redis+cluster' && scheme !== 'redis+sentinel') return { kind: 'single', url };
  const shape = scheme === 'redis+cluster' ? CLUSTER_SHAPE : SENTINEL_SHAPE;
  const m = MULTI_HOST.exec(url);
  if (!m) throw new Error(`a Redis ${scheme.slice(6)} URL must look like ${shape}`);
  const [, , userinfo, hosts, path = '', query = ''] = m;
  const nodes = (hosts as string).split(',').map((h) => parseAddress(h, shape));
  const credentials = parseCredentials(userinfo);
  const params = new URLSearchParams(query);
  const sentinelPassword = params.get('sentinelPassword') ?? undefined;
  params.delete('sentinelPassword');
  const unknown = [...params.keys()];
  if (unknown.length > 0 || (scheme === 'redis+cluster' && sentinelPassword !== undefined)) {
    const name = unknown[0] ?? 'sentinelPassword';
    throw new Error(
      `a Redis ${scheme.slice(6)} URL does not take the parameter "${name}"; expected ${shape}`,
    );
  }
  if (scheme === 'redis+cluster') {
    // A cluster has only database 0 (SELECT is refused), so a path would be silently wrong.
    if (path !== '' && path !== '/') throw new Error(`a Redis Cluster has no databases; expected ${shape}`);
    return { kind: 'cluster', nodes, ...credentials };
  }
  const segments = path.split('/').filter((s) => s !== '');
  const [name, db = '0', ...extra] = segments.map((s) => decodeURIComponent(s));
  if (name === undefined || extra.length > 0 || !/^\d{1,2}$/.test(db)) {
    throw new Error(
      `a Redis sentinel URL names the master and may give a database number; expected ${shape}`,
    );
  }
  return {
    kind: 'sentinel',
    sentinels: nodes,
    name,
    db: Number(db),
    ...credentials,
    ...(sentinelPassword !== undefined && { sentinelPassword }),
  };
}
