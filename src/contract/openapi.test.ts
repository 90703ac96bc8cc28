import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { makeGatehouse } from '../../test/helpers/gatehouse.js';
import { buildOpenApi, type OpenApiDocument } from './openapi.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * The OpenAPI 3.1 rules that can be checked without the spec's own validator (the lead may add
 * @readme/openapi-parser): required fields, unique operationIds, declared path parameters,
 * security names that exist, references that resolve, and schemas that are valid JSON Schema
 * 2020-12 (the dialect 3.1 uses), compiled by Ajv in strict mode.
 */
function structuralProblems(doc: OpenApiDocument): string[] {
  const problems: string[] = [];
  if (doc.openapi !== '3.1.0') problems.push('openapi is not 3.1.0');
  if (!doc.info.title || !doc.info.version) problems.push('info.title and info.version are required');
  const ids = new Set<string>();
  const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
  // The document holds the schemas that local refs point to: not a keyword, a container.
  ajv.addKeyword('components');
  ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
  const refs: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string') refs.push(v);
        else walk(v);
      }
    }
  };
  walk(doc);
  for (const ref of refs) {
    const target = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((n, key) => (n as Record<string, unknown> | undefined)?.[key], doc);
    if (target === undefined) problems.push(`unresolved $ref ${ref}`);
  }
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/')) problems.push(`${path}: paths start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) problems.push(`${path}: unknown method ${method}`);
      if (!op) continue;
      if (ids.has(op.operationId)) problems.push(`duplicate operationId ${op.operationId}`);
      ids.add(op.operationId);
      if (!Object.keys(op.responses).length) problems.push(`${method} ${path}: no responses`);
      for (const status of Object.keys(op.responses)) {
        if (!/^([1-5](\d\d|XX)|default)$/.test(status)) problems.push(`${method} ${path}: status ${status}`);
      }
      const declared = (op.parameters ?? []).map((p) => p.name);
      if (templated.join() !== declared.join()) problems.push(`${method} ${path}: path parameters`);
      for (const req of op.security) {
        for (const name of Object.keys(req)) {
          if (!doc.components.securitySchemes[name])
            problems.push(`${method} ${path}: unknown scheme ${name}`);
        }
      }
      const schemas = [
        ...Object.values(op.requestBody?.content ?? {}).map((c) => c.schema),
        ...Object.values(op.responses).flatMap((r) =>
          'content' in r && r.content ? Object.values(r.content).map((c) => c.schema) : [],
        ),
      ];
      for (const schema of schemas) {
        try {
          // Local refs point into the document: compile against it.
          ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components', '"doc#/components')));
        } catch (err) {
          problems.push(`${method} ${path}: ${(err as Error).message}`);
        }
      }
    }
  }
  return problems;
}

describe('buildOpenApi', () => {
  it('lists every route of the contract, and is a well-formed OpenAPI 3.1 document', async () => {
    const t = await makeGatehouse({ authentication: ['session', 'jwt', 'token', 'basic'], signup: true });
    const doc = buildOpenApi(t.gh);
    for (const { route } of t.gh.routes) {
      const path = route.path.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[path]?.[route.method.toLowerCase() as 'get'], `${route.method} ${path}`).toBeDefined();
    }
    expect(structuralProblems(doc)).toEqual([]);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('makes request bodies from the zod schemas the routes validate with', async () => {
    const t = await makeGatehouse({ authentication: ['token'] });
    const doc = buildOpenApi(t.gh);
    const withBody = t.gh.routes.filter((b) => b.route.body);
    expect(withBody.length).toBeGreaterThan(0);
    for (const { route } of withBody) {
      const op = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase() as 'post'];
      const schema = op?.requestBody?.content['application/json']?.schema;
      expect(schema, route.path).toMatchObject({ type: 'object' });
      expect(schema).not.toHaveProperty('$schema');
    }
  });

  it('describes security from the configured schemes, and the 401/403 answers', async () => {
    const t = await makeGatehouse({ authentication: ['token', 'basic'] });
    const doc = buildOpenApi(t.gh);
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['token', 'basic']);
    expect(doc.components.securitySchemes.basic).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'basic' }),
    );
    const me = doc.paths['/api/me/']?.get;
    expect(me?.security).toEqual([{ token: [] }, { basic: [] }]);
    expect(me?.responses).toMatchObject({
      '401': { $ref: '#/components/responses/Unauthorized' },
      '403': { $ref: '#/components/responses/Forbidden' },
    });
    // Register takes no credentials: no security, no 401.
    const register = doc.paths['/api/auth/register/']?.post;
    expect(register?.security).toEqual([]);
    expect(register?.responses['401']).toBeUndefined();
  });

  it('says which bodies are optional: an absent body is read as {}', async () => {
    const t = await makeGatehouse({ authentication: ['token', 'jwt'] });
    const doc = buildOpenApi(t.gh);
    const required = (path: string) => doc.paths[path]?.post?.requestBody?.required;
    expect(required('/api/auth/tokens/')).toBe(false);
    expect(required('/api/auth/tokens/{id}/rotate/')).toBe(false);
    expect(required('/api/auth/logout/')).toBe(false);
    expect(required('/api/token/refresh/')).toBe(true);
    expect(required('/api/token/verify/')).toBe(true);
    expect(required('/api-token-auth/')).toBe(true);
  });

  it('with jwt.cookie: no refresh in the pair, refresh without a body, and the CSRF 403s', async () => {
    const t = await makeGatehouse({ authentication: ['jwt'], jwt: { cookie: true } });
    const doc = buildOpenApi(t.gh);
    const pair = doc.paths['/api/token/']?.post?.responses['200'];
    expect(pair).toMatchObject({
      content: { 'application/json': { schema: { required: ['access'] } } },
    });
    expect(JSON.stringify(pair)).not.toContain('refresh');
    expect(JSON.stringify(doc.paths['/api/token/refresh/']?.post?.responses['200'])).not.toContain('refresh');
    expect(doc.paths['/api/token/refresh/']?.post?.requestBody?.required).toBe(false);
    for (const path of ['/api/token/', '/api/token/refresh/', '/api/token/blacklist/', '/api/auth/logout/']) {
      expect(doc.paths[path]?.post?.responses['403'], path).toBeDefined();
    }
    // With refreshInBody, the body has it again, as without cookies.
    const inBody = await makeGatehouse({ authentication: ['jwt'], jwt: { cookie: { refreshInBody: true } } });
    expect(buildOpenApi(inBody.gh).paths['/api/token/']?.post?.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { required: ['refresh', 'access'] } } },
    });
  });

  it('lists 429 with Retry-After where a throttle applies, Basic included', async () => {
    const t = await makeGatehouse({ authentication: ['session', 'token', 'jwt'], signup: true });
    const doc = buildOpenApi(t.gh);
    expect(doc.components.responses.Throttled).toMatchObject({
      headers: { 'Retry-After': { required: true } },
    });
    const throttled = [
      '/api/auth/login/',
      '/api-token-auth/',
      '/api/token/',
      '/api/token/refresh/',
      '/api/auth/register/',
      '/api/auth/password/',
    ];
    for (const path of throttled) {
      expect(doc.paths[path]?.post?.responses['429'], path).toMatchObject({
        headers: { 'Retry-After': { required: true } },
      });
    }
    // Basic is on outside production: every route it authenticates may be throttled.
    expect(doc.paths['/api/me/']?.get?.responses['429']).toEqual({
      $ref: '#/components/responses/Throttled',
    });
    const noBasic = await makeGatehouse({ authentication: ['token'], basic: false });
    expect(buildOpenApi(noBasic.gh).paths['/api/me/']?.get?.responses['429']).toBeUndefined();
  });

  it('lists the 403s of login (CSRF) and of sign-up when it is off, and 401s with the challenge', async () => {
    const t = await makeGatehouse({ authentication: ['session', 'token', 'jwt'] });
    const doc = buildOpenApi(t.gh);
    expect(doc.paths['/api/auth/login/']?.post?.responses['403']).toMatchObject({
      description: expect.stringContaining('CSRF'),
    });
    expect(doc.paths['/api/auth/register/']?.post?.responses['403']).toMatchObject({
      description: expect.stringContaining('signup_disabled'),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
    expect(doc.paths['/api/auth/register/']?.post?.responses['429']).toBeUndefined();
    // Logout takes anyone, but a refused credential is a 401 and a session cookie needs CSRF.
    const logout = doc.paths['/api/auth/logout/']?.post?.responses;
    expect(logout).toMatchObject({ '401': expect.anything(), '403': expect.anything() });
    expect(doc.components.responses.Unauthorized).toMatchObject({
      headers: { 'WWW-Authenticate': { required: true } },
    });
    expect(doc.components.schemas.Error).toMatchObject({
      properties: { messages: { type: 'array' } },
      additionalProperties: false,
    });
    // Path parameters: a broken escape is 400, an over-long segment 414.
    expect(doc.paths['/api/auth/tokens/{id}/']?.delete?.responses).toMatchObject({
      '400': expect.anything(),
      '404': { content: { 'application/json': expect.anything() } },
      '414': expect.anything(),
    });
  });

  it('mounts the paths under the adapter’s prefix', async () => {
    const t = await makeGatehouse({ authentication: ['basic'] });
    const doc = buildOpenApi(t.gh, { prefix: '/auth/', title: 'Notes API', version: '2.0.0' });
    expect(Object.keys(doc.paths).every((p) => p.startsWith('/auth/'))).toBe(true);
    expect(doc.info).toMatchObject({ title: 'Notes API', version: '2.0.0' });
    expect(structuralProblems(doc)).toEqual([]);
  });
});

/** An OpenAPI validator, when one is installed: neither is a dependency yet. */
async function loadValidator(): Promise<((doc: unknown) => Promise<unknown>) | null> {
  for (const name of ['@readme/openapi-parser', '@apidevtools/swagger-parser']) {
    try {
      // A computed name: the type-checker must not require a package that may be absent.
      const mod = (await import(name)) as {
        validate?: (doc: unknown) => Promise<unknown>;
        default?: { validate?: (doc: unknown) => Promise<unknown> };
      };
      const validate = mod.validate ?? mod.default?.validate;
      if (validate) return (doc) => validate(structuredClone(doc));
    } catch {
      // not installed: try the next one
    }
  }
  return null;
}

const validator = await loadValidator();
if (!validator) {
  console.warn(
    'openapi.test: skipping the full OpenAPI 3.1 validation: neither @readme/openapi-parser nor ' +
      '@apidevtools/swagger-parser is installed (the structural checks above still run)',
  );
}

describe.skipIf(!validator)('the OpenAPI document against the 3.1 specification', () => {
  it('validates with the specification’s own schema', async () => {
    const t = await makeGatehouse({ authentication: ['session', 'jwt', 'token', 'basic'], signup: true });
    await expect(validator!(buildOpenApi(t.gh))).resolves.toBeTruthy();
  });
});
