/** What the suite reads of a response: status, lower-cased headers, and the body as JSON or text. */
export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, the text otherwise, undefined when empty. */
  body: unknown;
}

/** Sees every answer `send` receives (the OpenAPI conformance check, conformance/check.ts). */
export type AnswerListener = (method: string, url: string, answer: Answer) => void;
const listeners = new Set<AnswerListener>();

/** Calls `listener` with every answer `send` receives, until the returned function is called. */
export function onAnswer(listener: AnswerListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export interface SendOptions {
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string or bytes as they are. */
  body?: unknown;
}

/**
 * One request over real HTTP with fetch, the way a client of any target sees it.
 *
 * @example
 * const res = await send('GET', `${t().base}/api/me/`, { headers: { authorization: basic('a', PW) } });
 */
export async function send(method: string, url: string, opts: SendOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | Uint8Array | undefined;
  if (opts.body !== undefined) {
    if (typeof opts.body === 'string' || opts.body instanceof Uint8Array) body = opts.body;
    else body = JSON.stringify(opts.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text === '' ? undefined : text;
  if (text && (res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  const answer = { status: res.status, headers: res.headers, body: parsed };
  for (const listener of listeners) listener(method, url, answer);
  return answer;
}

/** An `Authorization: Basic …` header. */
export function basic(username: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
}

/** A browser's cookies for one target, kept from Set-Cookie (Max-Age=0 removes one). */
export class Jar {
  private readonly values = new Map<string, string>();

  take(answer: Answer): this {
    for (const line of answer.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0]!;
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      if (/;\s*max-age=0/i.test(line)) this.values.delete(name);
      else this.values.set(name, decodeURIComponent(pair.slice(eq + 1)));
    }
    return this;
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  header(): string {
    return [...this.values].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  }
}

/**
 * A request as a same-origin page makes it: the jar's cookies, and on unsafe methods the page's
 * Origin and the CSRF token from the csrftoken cookie (unless `csrf: false`).
 */
export async function browse(
  jar: Jar,
  origin: string,
  method: string,
  url: string,
  opts: SendOptions & { csrf?: boolean } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) {
    headers.origin ??= origin;
    const token = jar.get('csrftoken');
    if (token && opts.csrf !== false) headers['x-csrftoken'] ??= token;
  }
  const cookie = jar.header();
  if (cookie) headers.cookie ??= cookie;
  const answer = await send(method, url, { ...opts, headers });
  jar.take(answer);
  return answer;
}
