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
  });
});
