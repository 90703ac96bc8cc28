import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeGatehouse } from '../../../test/helpers/gatehouse.js';
import { apiKeyDigest } from '../../crypto/api-keys.js';
import { openStores } from '../../stores/open.js';

const PW = 'correct horse battery staple';

describe('API keys at rest (SQLite)', () => {
  it('the database file holds digests, never a key nor its secret part', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tokens-'));
    const stores = await openStores({ database: `sqlite:${join(dir, 'gatehouse.db')}` });
    const t = await makeGatehouse({ authentication: ['token'], basic: false }, { stores });
    await t.user('alice', PW);
    const keys: string[] = [];
    const obtained = await t.call('POST', '/api-token-auth/', { body: { username: 'alice', password: PW } });
    keys.push((obtained.body as { token: string }).token);
    const auth = { authorization: `Token ${keys[0]}` };
    const made = await t.call('POST', '/api/auth/tokens/', {
      headers: auth,
      body: { name: 'ci', scopes: ['a:b'] },
    });
    const { id, key } = made.body as { id: string; key: string };
    keys.push(key);
    const rotated = await t.call('POST', `/api/auth/tokens/${id}/rotate/`, { headers: auth });
    keys.push((rotated.body as { key: string }).key);
    for (const k of keys.slice(0, 1).concat(keys.slice(2))) {
      expect((await t.call('GET', '/api/me/', { headers: { authorization: `Token ${k}` } })).status).toBe(
        200,
      );
    }
    await new Promise((r) => setImmediate(r)); // let the last-used writes land
    await stores.close();

    const bytes = Buffer.concat(
      readdirSync(dir)
        .filter((f) => f.startsWith('gatehouse.db'))
        .map((f) => readFileSync(join(dir, f))),
    );
    const live = [keys[0]!, keys[2]!];
    for (const k of live) expect(bytes.includes(apiKeyDigest(k)), 'the digest is what is stored').toBe(true);
    for (const k of keys) {
      expect(bytes.includes(k)).toBe(false);
      expect(bytes.includes(k.slice(4, 47)), 'the random part').toBe(false);
      expect(bytes.includes(k.slice(8, 30)), 'any long piece of it').toBe(false);
    }
  });
});
