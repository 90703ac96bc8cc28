import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { tempProject } from '../../test/helpers/temp.js';
import { type GatehouseConfigInput, resolveConfig } from '../core/config.js';
import { ACCOUNT_PAGE_CSP, registerAccountPage } from './account-page.js';

function assets(): string {
  const dir = join(tempProject(), 'public');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'index.html'),
    '<body data-signup="{{signup}}" data-csrf-cookie="{{csrfCookie}}" data-csrf-header="{{csrfHeader}}">',
  );
  writeFileSync(join(dir, 'account.js'), 'export {};');
  writeFileSync(join(dir, 'account.css'), 'body{}');
  writeFileSync(join(dir, 'notes.txt'), 'not served');
  return dir;
}

const config = (input: Partial<GatehouseConfigInput> = {}) =>
  resolveConfig({ secretKey: 's'.repeat(32), ...input } as GatehouseConfigInput);

describe('registerAccountPage', () => {
  it('serves the page at / with its settings, a strict CSP and revalidation by ETag', async () => {
    const app = Fastify();
    expect(registerAccountPage(app, { config: config({ signup: true }), assetsDir: assets() })).toBe(true);
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toBe(
      '<body data-signup="true" data-csrf-cookie="csrftoken" data-csrf-header="X-CSRFToken">',
    );
    expect(page.headers['content-security-policy']).toBe(ACCOUNT_PAGE_CSP);
    expect(ACCOUNT_PAGE_CSP).toContain("script-src 'self'");
    expect(ACCOUNT_PAGE_CSP).not.toContain('unsafe');
    expect(page.headers['x-frame-options']).toBe('DENY');
    const again = await app.inject({
      method: 'GET',
      url: '/',
      headers: { 'if-none-match': String(page.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    const js = await app.inject({ method: 'GET', url: '/account.js' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['content-security-policy']).toBe(ACCOUNT_PAGE_CSP);
    expect((await app.inject({ method: 'GET', url: '/notes.txt' })).statusCode).toBe(404);
  });

  it('is not served without the session scheme, or when the page was not built', async () => {
    const app = Fastify();
    expect(
      registerAccountPage(app, { config: config({ authentication: ['token'] }), assetsDir: assets() }),
    ).toBe(false);
    expect(registerAccountPage(app, { config: config(), assetsDir: join(tempProject(), 'missing') })).toBe(
      false,
    );
    expect((await app.inject({ method: 'GET', url: '/' })).statusCode).toBe(404);
  });
});
