import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../src/contract/openapi.js';
import { send } from './http.js';
import { TARGETS, useTarget } from './targets.js';

describe.each(TARGETS)('the OpenAPI description on $name', (target) => {
  const t = useTarget(target, { authentication: ['session', 'jwt', 'token', 'basic'], signup: true });

  it('lists paths that each answer at the documented place (not 404, not 405)', async () => {
    const doc = buildOpenApi(t().gh, { prefix: t().prefix });
    const ops = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => ({ method: method.toUpperCase(), path })),
    );
    expect(ops.length).toBe(t().gh.routes.length);
    for (const { method, path } of ops) {
      const res = await send(method, t().origin + path.replace(/\{\w+\}/g, 'x'));
      expect([404, 405], `${method} ${path}: ${res.status}`).not.toContain(res.status);
    }
  });
});

describe('GET /api/schema/ on the standalone server', () => {
  const t = useTarget(TARGETS.find((x) => x.name === 'server')!, {
    authentication: ['session', 'jwt', 'token', 'basic'],
  });

  it('serves the OpenAPI 3.1 document of every contract route, with and without the slash', async () => {
    for (const path of ['/api/schema/', '/api/schema']) {
      const res = await send('GET', `${t().base}${path}`);
      expect(res.status).toBe(200);
      const doc = res.body as ReturnType<typeof buildOpenApi>;
      expect(doc.openapi).toBe('3.1.0');
      for (const { route } of t().gh.routes) {
        const item = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')];
        expect(item?.[route.method.toLowerCase() as 'get'], `${route.method} ${route.path}`).toBeDefined();
      }
      // The server's own routes are in its document (not in an adapter user's buildOpenApi).
      for (const path of ['/healthz', '/readyz', '/api/schema/'])
        expect(doc.paths[path]?.get, path).toBeDefined();
      expect(doc.paths['/readyz']?.get?.responses['503']).toBeDefined();
    }
  });
});
