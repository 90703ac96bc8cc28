import { describe, expect, it } from 'vitest';
import { buildOpenApi, type OpenApiDocument } from '../../src/contract/openapi.js';
import type { GatehouseConfigInput } from '../../src/core/config.js';
import { anonymousPhase, registerPhase, sessionPhase, tokenPhase } from './conformance/accounts.js';
import { type Conformance, conformance } from './conformance/check.js';
import { emailPhase } from './conformance/email.js';
import { jwtBodyPhase, jwtCookiePhase, slidingPhase } from './conformance/jwt.js';
import { outagePhase, serverPhase, throttlePhase } from './conformance/limits.js';
import { mfaPhase } from './conformance/mfa.js';
import { passkeyPhase } from './conformance/passkeys.js';
import { Walk } from './conformance/walk.js';
import { send } from './http.js';
import { passkeyMfa } from './passkey-config.js';
import { type RunningTarget, TARGETS, useTarget } from './targets.js';

// Every answer of a walk over the whole contract, in each configuration that changes the wire,
// is checked against the OpenAPI document of that same app (GET /api/schema/ on the standalone
// server, buildOpenApi on the adapters): a client generated from the document, behind a
// validating proxy, must never see an answer the document does not describe.

/** Low enough that a few requests reach the throttle, above what the walk itself sends. */
const throttle = { refresh: '8/min', register: '4/hour' };
/** Passkeys on in every configuration: their operations are walked everywhere. */
const mfa = passkeyMfa;
const schemes = ['session', 'token', 'jwt'] as const;

const CONFIGS: ReadonlyArray<{ name: string; config: Partial<GatehouseConfigInput> }> = [
  // The library's defaults: sign-up off, basic on outside production.
  { name: 'default', config: { authentication: [...schemes], throttle, mfa } },
  {
    name: 'jwt.cookie',
    config: { authentication: [...schemes], signup: true, jwt: { cookie: true }, throttle, mfa },
  },
  {
    name: 'sliding',
    config: {
      authentication: [...schemes],
      signup: true,
      jwt: { authTokenTypes: ['access', 'sliding'] },
      throttle,
      mfa,
    },
  },
  {
    name: 'stateless',
    config: { authentication: [...schemes], signup: true, jwt: { stateless: true }, throttle, mfa },
  },
];

async function documentOf(t: RunningTarget): Promise<OpenApiDocument> {
  if (t.name !== 'server') return buildOpenApi(t.gh, { prefix: t.prefix });
  const res = await send('GET', `${t.base}/api/schema/`);
  expect(res.status).toBe(200);
  return res.body as OpenApiDocument;
}

/**
 * The operations the walk did not answer with a success: every one must be, but sign-up, which
 * can only refuse when it is off.
 */
function unexercised(c: Conformance, w: Walk): string[] {
  return c.operations.filter((id) => {
    const statuses = [...(c.seen.get(id) ?? [])];
    if (!w.signup && id.endsWith('_api_auth_register')) return statuses.length === 0;
    return !statuses.some((s) => s >= 200 && s < 300);
  });
}

describe.each(TARGETS)('OpenAPI conformance on $name', (target) => {
  describe.each(CONFIGS)('$name configuration', ({ config }) => {
    const t = useTarget(target, config);

    it('answers every request as its own /api/schema/ document says', async () => {
      const doc = await documentOf(t());
      const c = conformance(doc, t().origin);
      const w = new Walk(t());
      c.listen();
      try {
        await anonymousPhase(w);
        await sessionPhase(w);
        w.nextMinutes();
        await tokenPhase(w);
        w.nextMinutes();
        await jwtBodyPhase(w);
        if (w.cookieMode) await jwtCookiePhase(w);
        if (w.sliding) await slidingPhase(w);
        await registerPhase(w);
        w.nextMinutes();
        await emailPhase(w);
        await mfaPhase(w);
        w.nextMinutes();
        await passkeyPhase(w);
        await serverPhase(w);
        w.nextMinutes();
        await outagePhase(w);
        await throttlePhase(w);
      } catch (err) {
        // A walk cut short still shows what it found so far.
        throw new Error(
          `${(err as Error).message}\nanswers unlike the document so far:\n${c.problems.join('\n')}`,
        );
      } finally {
        c.stop();
      }
      expect(c.problems).toEqual([]);
      expect(unexercised(c, w), 'operations the walk did not reach with a 2xx').toEqual([]);
    });
  });
});
