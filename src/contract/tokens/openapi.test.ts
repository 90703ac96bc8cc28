import { describe, expect, it } from 'vitest';
import { makeGatehouse } from '../../../test/helpers/gatehouse.js';
import { buildOpenApi } from '../openapi.js';

describe('OpenAPI', () => {
  it('documents the token routes from the schemas they validate with', async () => {
    const t = await makeGatehouse({ authentication: ['token'] });
    const doc = buildOpenApi(t.gh);
    expect(doc.paths['/api-token-auth/']?.post?.requestBody).toBeDefined();
    expect(doc.paths['/api/auth/tokens/']?.post?.responses['201']).toMatchObject({
      content: { 'application/json': { schema: { required: expect.arrayContaining(['key']) } } },
    });
    expect(doc.paths['/api/auth/tokens/{id}/rotate/']?.post?.parameters?.[0]?.name).toBe('id');
    expect(doc.paths['/api/auth/tokens/{id}/']?.delete?.responses['204']).toBeDefined();
    // Every field has a default: a create or a rotation without a body is a valid request.
    expect(doc.paths['/api/auth/tokens/']?.post?.requestBody?.required).toBe(false);
    expect(doc.paths['/api/auth/tokens/{id}/rotate/']?.post?.requestBody?.required).toBe(false);
  });

  it('lists knox’s 403 at the limit on obtain only when tokens.atLimit refuses', async () => {
    const retire = buildOpenApi((await makeGatehouse({ authentication: ['token'] })).gh);
    expect(retire.paths['/api-token-auth/']?.post?.responses['403']).toBeUndefined();
    const refuse = buildOpenApi(
      (await makeGatehouse({ authentication: ['token'], tokens: { atLimit: 'refuse' } })).gh,
    );
    expect(refuse.paths['/api-token-auth/']?.post?.responses['403']).toMatchObject({
      description: expect.stringContaining('token_limit_reached'),
    });
  });
});
