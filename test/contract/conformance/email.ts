import { encodeUid, makeEmailToken } from '../../../src/core/email/tokens.js';
import type { UserRecord } from '../../../src/stores/types.js';
import { PASSWORD } from '../targets.js';
import { expectStatus, token, type Walk } from './walk.js';

// The walk's requests to the mail flows (docs/email.md). The links' tokens are made here, as the
// mail would carry them: the delivery itself is tested in test/contract/email.test.ts.

async function userRecord(w: Walk, name: string): Promise<UserRecord> {
  const user = await w.t.gh.ctx.stores.users.findByUsername(name);
  if (!user) throw new Error(`no user ${name}`);
  return user;
}

export async function emailPhase(w: Walk): Promise<void> {
  const { config } = w.t.gh.ctx;
  const name = await w.user();
  const email = `${name}@example.com`;
  const link = async (purpose: 'reset' | 'verify') => {
    const user = await userRecord(w, name);
    return { uid: encodeUid(user.id), token: makeEmailToken(config, purpose, user, w.t.clock.now()) };
  };
  await expectStatus(w.send('POST', '/api/auth/password/reset/', { body: { email } }), 202);
  await expectStatus(w.send('POST', '/api/auth/password/reset/', { body: {} }), 400);
  await expectStatus(
    w.send('POST', '/api/auth/password/reset/confirm/', {
      body: { uid: 'x', token: 'x', new_password: PASSWORD },
    }),
    400,
  );
  await expectStatus(w.send('POST', '/api/auth/email/verify/resend/', { body: { email } }), 202);
  await expectStatus(w.send('POST', '/api/auth/email/verify/', { body: { uid: 'x', token: 'x' } }), 400);
  await expectStatus(w.send('POST', '/api/auth/email/verify/', { body: await link('verify') }), 200);
  await expectStatus(
    w.send('POST', '/api/auth/password/reset/confirm/', {
      body: { ...(await link('reset')), new_password: `${PASSWORD}-new` },
    }),
    200,
  );
  // Without a credential: the first scheme's refusal (403 with session first), as the document says.
  await w.send('POST', '/api/auth/email/change/', { body: { email: `x${email}`, password: 'x' } });
  const obtained = await expectStatus(
    w.send('POST', '/api-token-auth/', { body: { username: name, password: `${PASSWORD}-new` } }),
    200,
  );
  const key = (obtained.body as { token: string }).token;
  await expectStatus(
    w.send('POST', '/api/auth/email/change/', {
      body: { email: `new-${email}`, password: `${PASSWORD}-new` },
      headers: token(key),
    }),
    202,
  );
}
