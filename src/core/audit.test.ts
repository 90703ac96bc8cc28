import { describe, expect, it } from 'vitest';
import { makeGatehouse } from '../../test/helpers/gatehouse.js';
import { audit } from './audit.js';

describe('audit', () => {
  it('keeps at most 150 characters of a tried username, whatever path handed it over', async () => {
    const t = await makeGatehouse();
    await audit(t.gh.ctx, null, 'login_failed', { username: 'x'.repeat(60_000), scheme: 'basic' });
    const [event] = await t.stores.audit.list({ limit: 1 });
    expect(event?.username).toBe('x'.repeat(150));
  });
});
