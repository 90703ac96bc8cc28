/**
 * DRF's default parsers on every unsafe route: JSON, application/x-www-form-urlencoded and
 * multipart/form-data (what some mobile clients send to obtain_auth_token), on every target.
 */
import { describe, expect, it } from 'vitest';
import { send } from './http.js';
import { PASSWORD, TARGETS, useTarget } from './targets.js';

type Encoded = { body: string; headers: Record<string, string> };

/** A multipart/form-data body (as FormData would send it) and its content type. */
function multipart(fields: Record<string, string>): Encoded {
  const boundary = '----gatehouse-test-boundary';
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return {
    body: `${parts.join('')}--${boundary}--\r\n`,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

const form = (fields: Record<string, string>): Encoded => ({
  body: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

describe.each(TARGETS)('body parsers on $name', (target) => {
  const t = useTarget(target, { authentication: ['token'] });

  const obtain = async (encode: typeof form, username: string): Promise<string> => {
    const res = await send('POST', `${t().base}/api-token-auth/`, encode({ username, password: PASSWORD }));
    expect(res.status).toBe(200);
    return (res.body as { token: string }).token;
  };

  it('obtains a token from a multipart/form-data body, as from a form', async () => {
    await t().user('ann');
    expect(await obtain(multipart, 'ann')).toMatch(/^gat_/);
    expect(await obtain(form, 'ann')).toMatch(/^gat_/);
  });

  it('takes a form and a multipart body on token create and logout-all (415 before)', async () => {
    await t().user('bea');
    const auth = { authorization: `Token ${await obtain(form, 'bea')}` };
    for (const encode of [form, multipart]) {
      const { body, headers } = encode({ name: 'ci' });
      const created = await send('POST', `${t().base}/api/auth/tokens/`, {
        body,
        headers: { ...headers, ...auth },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'ci' });
    }
    const { body, headers } = multipart({});
    const out = await send('POST', `${t().base}/api/auth/logout-all/`, {
      body,
      headers: { ...headers, ...auth },
    });
    expect(out.status).toBe(204);
  });

  it('refuses a multipart body without a boundary with 400 parse_error', async () => {
    const res = await send('POST', `${t().base}/api-token-auth/`, {
      body: 'x',
      headers: { 'content-type': 'multipart/form-data' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse_error' });
  });
});
