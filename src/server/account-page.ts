import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { GatehouseConfig } from '../core/config.js';

/**
 * Only what the page needs, from this origin: no inline script or style, no third party, no
 * framing, and (Trusted Types) no way to turn a string into markup or script.
 */
export const ACCOUNT_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "require-trusted-types-for 'script'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': ACCOUNT_PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // Revalidated each time (by ETag), so a new version of the package is picked up at once.
  'cache-control': 'no-cache',
};

export interface AccountPageOptions {
  config: GatehouseConfig;
  /** Where the built page is (default: dist/public of this package). */
  assetsDir?: string;
}

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/**
 * Serves the account page at `/` (sign in, who am I, sessions, API tokens, log out, sign-up when
 * enabled) and its assets, read once at start-up, with a strict Content-Security-Policy. The
 * page talks to the contract's own routes, so it needs the session scheme; without it, or when
 * the page was not built, nothing is registered and the reason is logged. Returns whether it was.
 *
 * @example
 * const app = Fastify();
 * await app.register(gatehousePlugin, { gatehouse: gh });
 * registerAccountPage(app, { config });
 */
export function registerAccountPage(app: FastifyInstance, opts: AccountPageOptions): boolean {
  const { config } = opts;
  if (!config.authentication.includes('session')) {
    app.log.info('account page not served: it signs in with the session scheme, which is not configured');
    return false;
  }
  const dir = opts.assetsDir ?? defaultAssetsDir();
  if (dir === null || !existsSync(join(dir, 'index.html'))) {
    app.log.warn('account page not served: its assets are not built (run `npm run build`)');
    return false;
  }
  const assets = loadAssets(dir, {
    signup: String(config.signup),
    mail: String(config.email.flows === true),
    resetPath: config.email.paths.reset,
    verifyPath: config.email.paths.verify,
    csrfCookie: config.csrf.cookieName,
    csrfHeader: config.csrf.headerName,
    passkeys: String(config.mfa.passkeys !== undefined),
  });
  for (const [name, asset] of assets) {
    for (const url of assetUrls(name, config)) {
      app.get(url, async (request, reply) => {
        reply.headers(HEADERS).header('etag', asset.etag).type(asset.type);
        if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
        return reply.send(asset.body);
      });
    }
  }
  return true;
}

/**
 * Where an asset is served: the page at `/`, and also at the paths a mail's links open, so a link
 * to this server (`email.baseUrl` unset, or its own origin) lands on its form here.
 */
function assetUrls(name: string, config: GatehouseConfig): string[] {
  if (name !== 'index.html') return [`/${name}`];
  const { flows, paths } = config.email;
  const links = flows ? [paths.reset, paths.verify] : [];
  return [...new Set(['/', ...links])];
}

/** dist/public beside the compiled server, or the repository's dist/public when run from src/. */
function defaultAssetsDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../public'), resolve(here, '../../dist/public')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

function loadAssets(dir: string, vars: Record<string, string>): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    let body = readFileSync(join(dir, name));
    if (name === 'index.html') {
      // The page's settings travel as data attributes: no inline script for the CSP to allow.
      body = Buffer.from(
        body
          .toString('utf8')
          .replace(/\{\{(\w+)\}\}/g, (_m, key: string) => escapeAttribute(vars[key] ?? '')),
      );
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    assets.set(name, { body, type, etag });
  }
  return assets;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
