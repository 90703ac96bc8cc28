/**
 * `npm run bench:micro`: the per-request pieces of the hot path, in process, with tinybench —
 * header parsing, JWT verification per algorithm (with and without the verified-token cache),
 * API-key digest + lookup, session digest + lookup, user load, each scheme's authenticate() and
 * the whole framework-neutral dispatch of GET /api/me/. SQLite tables hold 10k rows each. Not a
 * test: no thresholds, numbers only (docs/performance.md reads them against the 17 µs budget).
 *
 *   npm run bench:micro [-- --time 1000 --filter jwt]
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { Bench } from 'tinybench';
import { parseCookies } from '../src/core/cookies.js';
import { NotAuthenticated } from '../src/core/errors.js';
import { createAuthRequest } from '../src/core/request.js';
import { apiKeyDigest, generateApiKey, parseApiKey } from '../src/crypto/api-keys.js';
import { randomSecret, sha256Hex } from '../src/crypto/random.js';
import { createGatehouse, defineConfig, type Gatehouse, openStores } from '../src/index.js';
import { bearerToken } from '../src/schemes/jwt/scheme.js';
import { readTokenHeader } from '../src/schemes/token/header.js';

const { values } = parseArgs({
  options: { time: { type: 'string', default: '1000' }, filter: { type: 'string' } },
});
const ROWS = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-micro-'));
const secretKey = randomBytes(36).toString('base64url');
const database = `sqlite:${join(dir, 'micro.db')}`;
const stores = await openStores({ database });

// Users, API tokens and sessions straight through the stores (no argon2: passwords are not used).
const now = Date.now();
for (let i = 0; i < ROWS; i++) {
  await stores.users.create({ username: `user${i}`, passwordHash: '', dateJoined: now });
}
const keys: string[] = [];
const sessionKeys: string[] = [];
for (let i = 0; i < ROWS; i++) {
  const key = generateApiKey('gat_');
  keys.push(key);
  await stores.apiTokens.create({
    id: randomSecret(9),
    digest: apiKeyDigest(key),
    userId: (i % ROWS) + 1,
    name: '',
    prefix: key.slice(0, 8),
    scopes: [],
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + 86_400_000,
  });
  const sessionKey = randomSecret();
  sessionKeys.push(sessionKey);
  await stores.sessions.create({
    id: randomSecret(9),
    digest: sha256Hex(sessionKey),
    userId: (i % ROWS) + 1,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + 86_400_000,
    ip: '127.0.0.1',
    userAgent: 'bench',
    data: {},
  });
}

const pem = (type: 'ec' | 'ed25519' | 'rsa'): string =>
  (type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ed25519')
  ).privateKey
    .export({ format: 'pem', type: 'pkcs8' })
    .toString();

/** A gatehouse over the shared stores with these JWT settings (token before jwt, like the server). */
function gatehouse(jwt: Record<string, unknown>): Gatehouse {
  const config = defineConfig({
    secretKey,
    database,
    production: true,
    authentication: ['session', 'token', 'jwt'],
    jwt,
  });
  return createGatehouse({ config, stores });
}

const JWT_VARIANTS: Record<string, Record<string, unknown>> = {
  HS256: {},
  'HS256 stateless': { stateless: true },
  RS256: { algorithm: 'RS256', signingKey: pem('rsa') },
  'ES256 (cache)': { algorithm: 'ES256', signingKey: pem('ec') },
  'ES256 (no cache)': { algorithm: 'ES256', signingKey: pem('ec'), verifiedTokenCache: 0 },
  'EdDSA (cache)': { algorithm: 'EdDSA', signingKey: pem('ed25519') },
  'EdDSA (no cache)': { algorithm: 'EdDSA', signingKey: pem('ed25519'), verifiedTokenCache: 0 },
};

const user = (await stores.users.findById(1))!;
const jwtCases = await Promise.all(
  Object.entries(JWT_VARIANTS).map(async ([name, settings]) => {
    const gh = gatehouse(settings);
    const { access } = await gh.services.jwt!.issuePair(user);
    return { name, gh, access };
  }),
);
const hs = jwtCases[0]!;
const meRoute = hs.gh.routes.find((b) => b.route.method === 'GET' && b.route.path === '/api/me/')!;

const BASE_HEADERS: Record<string, string> = { host: '127.0.0.1:8000', 'user-agent': 'wrk', accept: '*/*' };
const headers = (authorization: string): Record<string, string> => ({ ...BASE_HEADERS, authorization });
const request = (h: Record<string, string>) =>
  createAuthRequest({ method: 'GET', url: '/api/me/', headers: h, normalised: true, ip: '127.0.0.1' });

let i = 0;
const nextKey = (): string => keys[i++ % ROWS]!;
const nextSession = (): string => sessionKeys[i++ % ROWS]!;
const bearerTypes = new Set(['Bearer']);
const BATCH = 100;

const bench = new Bench({ time: Number(values.time), warmup: true });
const add = (name: string, fn: () => unknown, batch = 1): void => {
  if (values.filter && !name.toLowerCase().includes(values.filter.toLowerCase())) return;
  // Sub-microsecond functions run `batch` times per sample so the timer can see them.
  const task =
    batch === 1
      ? fn
      : () => {
          for (let k = 0; k < batch; k++) fn();
        };
  bench.add(batch === 1 ? name : `${name} [x${batch}]`, task);
};

const hsHeaders = headers(`Bearer ${hs.access}`);
add('header: createAuthRequest (node headers, as the adapter)', () => request(hsHeaders), BATCH);
add('header: bearerToken(Authorization)', () => bearerToken(request(hsHeaders), bearerTypes), BATCH);
add('header: readTokenHeader(Token …)', () => readTokenHeader(`Token ${keys[0]}`, 'token'), BATCH);
add(
  'header: parseCookies (2 cookies)',
  () => parseCookies(`sessionid=${sessionKeys[0]}; csrftoken=abc`),
  BATCH,
);

for (const c of jwtCases) {
  const tokens = c.gh.services.jwt!;
  add(`jwt verify ${c.name}: keyring + claims`, () => tokens.verify(c.access, ['access']));
}
add('api key: parseApiKey (shape + CRC32)', () => parseApiKey(keys[0]!), BATCH);
add('api key: apiKeyDigest (SHA-256 hex)', () => apiKeyDigest(keys[0]!), BATCH);
add('api key: digest + findByDigest (SQLite, 10k rows)', () =>
  stores.apiTokens.findByDigest(apiKeyDigest(nextKey())),
);
add('session: digest (SHA-256 hex)', () => sha256Hex(sessionKeys[0]!), BATCH);
add('session: digest + findByDigest (SQLite, 10k rows)', () =>
  stores.sessions.findByDigest(sha256Hex(nextSession())),
);
add('api key: digest + token and user in one read (SQLite)', () =>
  stores.apiTokens.withUser!.findByDigest(apiKeyDigest(nextKey())),
);
add('session: digest + session and user in one read (SQLite)', () =>
  stores.sessions.withUser!.findByDigest(sha256Hex(nextSession())),
);
add('user load: users.findById (SQLite, 10k rows)', () => stores.users.findById((i++ % ROWS) + 1));
// The floor: the same lookups as bare better-sqlite3 statements on a second connection.
const raw = new BetterSqlite3(join(dir, 'micro.db'), { readonly: true });
const rawSession = raw.prepare('select * from "gatehouse_sessions" where "digest" = ?');
const rawUser = raw.prepare('select * from "gatehouse_users" where "id" = ?');
add('floor: raw better-sqlite3 session by digest (digest included)', () =>
  rawSession.get(sha256Hex(nextSession())),
);
add('floor: raw better-sqlite3 user by id', () => rawUser.get((i++ % ROWS) + 1));
add('error path: new NotAuthenticated() (captures a stack)', () => new NotAuthenticated(), BATCH);
// A login's cost: one argon2id verification (OWASP: 19 MiB, t=2, p=1) on the hashing pool.
const passwordHash = await hs.gh.ctx.passwords.hash('tr0ub4dor&3-staple-bench');
add('login: argon2id verify (OWASP parameters, one at a time)', () =>
  hs.gh.ctx.passwords.verify('tr0ub4dor&3-staple-bench', passwordHash),
);

for (const c of jwtCases) {
  const jwt = c.gh.services.schemes.jwt!;
  const req = request(headers(`Bearer ${c.access}`));
  add(`scheme jwt ${c.name}: authenticate()`, () => jwt.authenticate(req));
}
const tokenScheme = hs.gh.services.schemes.token!;
const sessionScheme = hs.gh.services.schemes.session!;
// Headers as node hands them over; a fresh AuthRequest per request, as the adapter makes one.
const tokenHeaders = keys.slice(0, 1000).map((k) => headers(`Token ${k}`));
const sessionHeaders = sessionKeys.slice(0, 1000).map((k) => ({ ...BASE_HEADERS, cookie: `sessionid=${k}` }));
const tokenReq = () => request(tokenHeaders[i++ % 1000]!);
const sessionReq = () => request(sessionHeaders[i++ % 1000]!);
const pipeline = hs.gh.services.pipeline;
add('scheme token: authenticate()', () => tokenScheme.authenticate(tokenReq()));
add('scheme session: authenticate()', () => sessionScheme.authenticate(sessionReq()));
add('pipeline [session, token, jwt]: JWT HS256', () => pipeline.authenticate(request(hsHeaders)));
add('pipeline [session, token, jwt]: API token', () => pipeline.authenticate(tokenReq()));
add('pipeline [session, token, jwt]: session', () => pipeline.authenticate(sessionReq()));
add('dispatch GET /api/me/ JWT HS256 (whole route, no HTTP)', () =>
  hs.gh.handle(meRoute, { req: request(hsHeaders), params: {} }),
);
add('dispatch GET /api/me/ API token (whole route, no HTTP)', () =>
  hs.gh.handle(meRoute, { req: tokenReq(), params: {} }),
);
add('dispatch GET /api/me/ session (whole route, no HTTP)', () =>
  hs.gh.handle(meRoute, { req: sessionReq(), params: {} }),
);
add('dispatch GET /api/me/ anonymous (refused, no HTTP)', () =>
  hs.gh.handle(meRoute, { req: request(BASE_HEADERS), params: {} }),
);

await bench.run();
const rows = bench.tasks.map((t) => {
  const r = t.result;
  const batch = /\[x(\d+)\]$/.exec(t.name);
  const per = batch ? Number(batch[1]) : 1;
  if (!('latency' in r)) {
    const why = 'error' in r ? String(r.error) : r.state;
    return { task: t.name, 'µs/op p50': why.slice(0, 60), 'µs/op mean': '', 'µs/op p99': '' };
  }
  // The median is the cost of the code; the mean and p99 also carry GC pauses and a busy machine.
  const us = (ms: number | undefined) => (((ms ?? 0) * 1000) / per).toFixed(2);
  return {
    task: t.name,
    'µs/op p50': us(r.latency.p50),
    'µs/op mean': us(r.latency.mean),
    'µs/op p99': us(r.latency.p99),
  };
});
console.table(rows);
raw.close();
await stores.close();
rmSync(dir, { recursive: true, force: true });
