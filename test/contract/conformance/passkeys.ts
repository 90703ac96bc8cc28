import { Jar } from '../http.js';
import { PASSKEY_ORIGIN, PASSKEY_RP_ID } from '../passkey-config.js';
import { softAuthenticator } from '../soft-authenticator.js';
import { PASSWORD } from '../targets.js';
import { expectStatus, type Walk } from './walk.js';

// The walk's requests to the passkey operations (docs/mfa.md), driven by a software
// authenticator: registration and sign-in succeed for each thing a sign-in may issue, a reused
// challenge and a bad body are refused, a passkey is listed and removed.

export async function passkeyPhase(w: Walk): Promise<void> {
  const name = await w.user();
  const jar = new Jar();
  const device = softAuthenticator(PASSKEY_RP_ID, PASSKEY_ORIGIN);
  await w.browse(jar, 'GET', '/api/auth/csrf/');
  await expectStatus(
    w.browse(jar, 'POST', '/api/auth/login/', { body: { username: name, password: PASSWORD } }),
    200,
  );
  const post = (path: string, body?: unknown) =>
    w.browse(jar, 'POST', path, body === undefined ? {} : { body });
  const options = await expectStatus(post('/api/auth/passkeys/register/options/'), 200);
  const { response, credential } = device.register(
    options.body as { challenge: string; user: { id: string } },
  );
  await expectStatus(post('/api/auth/passkeys/register/verify/', { ...response, name: 'walk' }), 201);
  await expectStatus(post('/api/auth/passkeys/register/verify/', response), 400);
  const status = await expectStatus(w.browse(jar, 'GET', '/api/auth/mfa/'), 200);
  const [listed] = (status.body as { passkeys: Array<{ id: string }> }).passkeys;

  for (const issue of ['session', 'token', 'jwt'] as const) {
    const other = new Jar();
    await w.browse(other, 'GET', '/api/auth/csrf/');
    const login = await expectStatus(w.browse(other, 'POST', '/api/auth/passkeys/login/options/'), 200);
    const assertion = device.assert(login.body as { challenge: string }, credential);
    await expectStatus(
      w.browse(other, 'POST', '/api/auth/passkeys/login/verify/', { body: { ...assertion, issue } }),
      200,
    );
  }
  await expectStatus(
    w.browse(jar, 'POST', '/api/auth/passkeys/login/verify/', { body: { issue: 'session' } }),
    400,
  );
  await expectStatus(w.browse(jar, 'DELETE', '/api/auth/passkeys/nope/'), 404);
  await expectStatus(w.browse(jar, 'DELETE', `/api/auth/passkeys/${listed!.id}/`), 204);
}
