/**
 * Credentials obtained the way a client would, over HTTP from the running server, so every case
 * authenticates with what the server itself issued. A route that is not there (yet) answers 404;
 * that becomes a {@link Unavailable} the runner reports as a skipped case.
 */

/** A case cannot run: the route or scheme it needs is missing, or it answered unexpectedly. */
export class Unavailable extends Error {
  override name = 'Unavailable';
}

export interface BenchUser {
  username: string;
  password: string;
}

async function postJson(origin: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status === 404) throw new Unavailable(`POST ${path} answers 404 (route not mounted in this build)`);
  if (res.status !== 200) throw new Unavailable(`POST ${path} answered ${res.status}: ${text.slice(0, 200)}`);
  return { res, body: JSON.parse(text) as Record<string, unknown> };
}

/** POST /api/token/: an access/refresh pair. */
export async function jwtPair(origin: string, user: BenchUser): Promise<{ access: string; refresh: string }> {
  const { body } = await postJson(origin, '/api/token/', user);
  if (typeof body.access !== 'string' || typeof body.refresh !== 'string') {
    throw new Unavailable(`POST /api/token/ answered without access/refresh: ${JSON.stringify(body)}`);
  }
  return { access: body.access, refresh: body.refresh };
}

/** POST /api-token-auth/ (DRF's obtain_auth_token): an API key. */
export async function apiToken(origin: string, user: BenchUser): Promise<string> {
  const { body } = await postJson(origin, '/api-token-auth/', user);
  if (typeof body.token !== 'string') throw new Unavailable('POST /api-token-auth/ answered without a token');
  return body.token;
}

/** `name=value` pairs of every Set-Cookie of a response. */
function cookiesOf(res: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(';', 1)[0]!;
    const eq = pair.indexOf('=');
    if (eq > 0) out.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return out;
}

/**
 * A session the way a browser app gets one: GET /api/auth/csrf/ for the CSRF cookie and token,
 * then POST /api/auth/login/ with the token, the cookie and a same-origin Origin. Returns the
 * Cookie header to send (the session cookie only: GET /api/me/ is a safe method).
 */
export async function sessionCookie(
  origin: string,
  user: BenchUser,
  cookieName = 'sessionid',
): Promise<string> {
  const csrf = await fetch(`${origin}/api/auth/csrf/`);
  if (csrf.status === 404)
    throw new Unavailable('GET /api/auth/csrf/ answers 404 (session routes not mounted)');
  const csrfBody = (await csrf.json()) as { csrfToken?: string };
  const csrfCookies = cookiesOf(csrf);
  const csrfCookie = csrfCookies.get('csrftoken');
  const token = csrfBody.csrfToken ?? csrfCookie;
  if (!token) throw new Unavailable('GET /api/auth/csrf/ gave no CSRF token');
  const cookie = [...csrfCookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const { res } = await postJson(origin, '/api/auth/login/', user, {
    cookie,
    'x-csrftoken': token,
    origin,
    referer: `${origin}/`,
  });
  const session = cookiesOf(res).get(cookieName);
  if (!session) throw new Unavailable(`POST /api/auth/login/ set no ${cookieName} cookie`);
  return `${cookieName}=${session}`;
}

/** Checks that a request authenticates as expected before it is measured. */
export async function expectMe(
  origin: string,
  headers: Record<string, string>,
  scheme: string,
): Promise<void> {
  const res = await fetch(`${origin}/api/me/`, { headers });
  const text = await res.text();
  if (res.status !== 200) throw new Unavailable(`GET /api/me/ answered ${res.status}: ${text.slice(0, 200)}`);
  const body = JSON.parse(text) as { auth?: string };
  if (body.auth !== scheme)
    throw new Unavailable(`GET /api/me/ authenticated by ${body.auth}, not ${scheme}`);
}
