import { generate } from 'otplib';
import { Jar } from '../http.js';
import { PASSWORD } from '../targets.js';
import { expectStatus, token, type Walk } from './walk.js';

// The walk's requests to the second-factor operations (docs/mfa.md): every one answered with a
// success, the two-step sign-in's 401s, step-up's 403 and the state conflicts.

export async function mfaPhase(w: Walk): Promise<void> {
  const name = await w.user();
  const jar = new Jar();
  const code = async (secret: string) => {
    w.t.clock.advance('30s');
    return generate({ secret, epoch: Math.floor(w.t.clock.now() / 1000) });
  };
  await w.browse(jar, 'GET', '/api/auth/csrf/');
  await expectStatus(
    w.browse(jar, 'POST', '/api/auth/login/', { body: { username: name, password: PASSWORD } }),
    200,
  );
  const post = (path: string, body: unknown) => w.browse(jar, 'POST', path, { body });
  await expectStatus(w.browse(jar, 'GET', '/api/auth/mfa/'), 200);
  await expectStatus(post('/api/auth/mfa/totp/setup/', { password: 'wrong' }), 400);
  await expectStatus(post('/api/auth/mfa/totp/confirm/', { code: '123456' }), 400);
  await expectStatus(post('/api/auth/mfa/recovery-codes/', { password: PASSWORD }), 409);
  await expectStatus(post('/api/auth/mfa/totp/disable/', { password: PASSWORD }), 409);
  const setup = await expectStatus(post('/api/auth/mfa/totp/setup/', { password: PASSWORD }), 200);
  const { secret } = setup.body as { secret: string };
  await expectStatus(post('/api/auth/mfa/totp/confirm/', { code: await code(secret) }), 200);
  await expectStatus(post('/api/auth/mfa/totp/setup/', { password: PASSWORD }), 409);
  await expectStatus(post('/api/auth/mfa/recovery-codes/', { password: PASSWORD }), 200);

  // The two-step sign-in on the session and DRF token routes (the JWT ones are the same code).
  const again = new Jar();
  await w.browse(again, 'GET', '/api/auth/csrf/');
  const login = (body: unknown) => w.browse(again, 'POST', '/api/auth/login/', { body });
  const first = await expectStatus(login({ username: name, password: PASSWORD }), 401);
  const wrong = await expectStatus(
    login({ mfa_token: (first.body as { mfa_token: string }).mfa_token, code: '1' }),
    401,
  );
  await expectStatus(
    login({ mfa_token: (wrong.body as { mfa_token: string }).mfa_token, code: await code(secret) }),
    200,
  );
  const obtain = (body: unknown) => w.send('POST', '/api-token-auth/', { body });
  const drf = await expectStatus(obtain({ username: name, password: PASSWORD }), 401);
  await expectStatus(obtain({ mfa_token: 'spent-or-unknown', code: '123456' }), 401);
  const key = await expectStatus(
    obtain({ mfa_token: (drf.body as { mfa_token: string }).mfa_token, code: await code(secret) }),
    200,
  );
  // An API token never counts as a recent sign-in.
  const viaToken = token((key.body as { token: string }).token);
  await expectStatus(
    w.send('POST', '/api/auth/mfa/totp/disable/', { headers: viaToken, body: { password: PASSWORD } }),
    403,
  );
  await expectStatus(
    w.browse(again, 'POST', '/api/auth/mfa/totp/disable/', { body: { code: await code(secret) } }),
    204,
  );
}
