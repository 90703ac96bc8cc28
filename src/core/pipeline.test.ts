import { describe, expect, it } from 'vitest';
import type { UserRecord } from '../stores/types.js';
import { AuthenticationFailed, NotAuthenticated, PermissionDenied } from './errors.js';
import {
  allOf,
  allowAny,
  anyOf,
  credentialScopes,
  hasScope,
  isAdmin,
  isAuthenticated,
  isAuthenticatedOrReadOnly,
  not,
} from './permissions.js';
import { Pipeline, withChallenge } from './pipeline.js';
import { createAuthRequest } from './request.js';
import type { Authenticator, AuthResult } from './scheme.js';

const user = (over: Partial<UserRecord> = {}): UserRecord => ({
  id: 1,
  username: 'alice',
  email: '',
  passwordHash: '',
  isActive: true,
  isAdmin: false,
  dateJoined: 0,
  lastLogin: null,
  tokensValidAfter: null,
  ...over,
});

function scheme(name: string, behaviour: 'null' | 'answer' | 'throw', challenge: string | null = null) {
  const calls: string[] = [];
  const s: Authenticator & { calls: string[] } = {
    name,
    calls,
    challenge: () => challenge,
    async authenticate() {
      calls.push(name);
      if (behaviour === 'throw') throw new AuthenticationFailed(`${name} failed`);
      // A custom scheme's name: the result is typed as Basic's (no credential), named as given.
      return behaviour === 'answer' ? ({ user: user(), auth: null, scheme: name } as AuthResult) : null;
    },
  };
  return s;
}

const get = createAuthRequest({ method: 'GET', url: '/x', headers: {} });
const post = createAuthRequest({ method: 'POST', url: '/x', headers: {} });

describe('Pipeline', () => {
  it('tries schemes in order and stops at the first that answers', async () => {
    const a = scheme('a', 'null');
    const b = scheme('b', 'answer');
    const c = scheme('c', 'answer');
    const result = await new Pipeline([a, b, c]).authenticate(get);
    expect(result?.scheme).toBe('b');
    expect([...a.calls, ...b.calls, ...c.calls]).toEqual(['a', 'b']);
  });

  it('lets a scheme that owns the request fail it, without trying the rest', async () => {
    const c = scheme('c', 'answer');
    await expect(new Pipeline([scheme('a', 'throw'), c]).authenticate(get)).rejects.toThrow('a failed');
    expect(c.calls).toEqual([]);
  });

  it('returns null when no scheme answers', async () => {
    expect(await new Pipeline([scheme('a', 'null')]).authenticate(get)).toBeNull();
  });

  it("answers an anonymous request with 401 and the first scheme's challenge", async () => {
    const p = new Pipeline([scheme('token', 'null', 'Token'), scheme('basic', 'null', 'Basic realm="api"')]);
    const err = await p.enforce(get, null, isAuthenticated).catch((e) => e);
    expect(err).toBeInstanceOf(NotAuthenticated);
    expect(err.status).toBe(401);
    expect(err.headers['www-authenticate']).toBe('Token');
    expect(err.body()).toEqual({
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
  });

  it('answers 403 when the first scheme has no challenge (session first), as DRF does', async () => {
    const p = new Pipeline([scheme('session', 'null', null), scheme('basic', 'null', 'Basic realm="api"')]);
    const err = await p.enforce(get, null, isAuthenticated).catch((e) => e);
    expect(err).toBeInstanceOf(PermissionDenied);
    expect(err.status).toBe(403);
    expect(err.headers['www-authenticate']).toBeUndefined();
    expect(err.body()).toEqual({
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
  });

  it('answers 403 permission_denied to an authenticated caller who lacks the permission', async () => {
    const p = new Pipeline([scheme('token', 'null', 'Token')]);
    const token = {
      id: 't',
      userId: 1,
      name: '',
      prefix: '',
      scopes: [],
      createdAt: 0,
      lastUsedAt: null,
      expiresAt: null,
    };
    const auth: AuthResult = { user: user(), auth: token, scheme: 'token' };
    const err = await p.enforce(get, auth, isAdmin).catch((e) => e);
    expect(err.status).toBe(403);
    expect(err.body()).toEqual({
      detail: 'You do not have permission to perform this action.',
      code: 'permission_denied',
    });
  });

  it('withChallenge keeps a failed authentication a 401 when there is a challenge', () => {
    const e = withChallenge(new AuthenticationFailed('Invalid token.'), 'Token');
    expect(e.status).toBe(401);
    expect(e.headers['www-authenticate']).toBe('Token');
  });

  it('answers a rejected credential with 401 and the challenge of the scheme that rejected it', async () => {
    // Session first (no challenge): DRF would coerce this to 403 and lose the scheme's body.
    const p = new Pipeline([scheme('session', 'null'), scheme('jwt', 'throw', 'Bearer realm="api"')]);
    const err = await p.authenticate(get).catch((e) => e);
    const answered = withChallenge(err, p.challenge(get));
    expect(answered.status).toBe(401);
    expect(answered.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(answered.body()).toEqual({ detail: 'jwt failed', code: 'authentication_failed' });
  });

  it('challenges with the scheme that authenticated a request, for a credential refused later', () => {
    const p = new Pipeline([scheme('session', 'null'), scheme('token', 'answer', 'Token')]);
    const auth = { user: user(), auth: null, scheme: 'token' } as unknown as AuthResult;
    expect(p.challenge(get)).toBeNull();
    expect(p.challenge(get, auth)).toBe('Token');
  });

  it('keeps DRF’s 403 for a rejection by a scheme that has no challenge', async () => {
    const p = new Pipeline([scheme('custom', 'throw'), scheme('basic', 'null', 'Basic realm="api"')]);
    const err = await p.authenticate(get).catch((e) => e);
    expect(withChallenge(err, null).status).toBe(403);
  });
});

describe('permissions', () => {
  const authed: AuthResult = { user: user(), auth: null, scheme: 'basic' };
  const admin: AuthResult = { user: user({ isAdmin: true }), auth: null, scheme: 'basic' };
  const inactive: AuthResult = { user: user({ isActive: false }), auth: null, scheme: 'basic' };

  it('allowAny, isAuthenticated, isAdmin', async () => {
    expect(await allowAny.has(get, null)).toBe(true);
    expect(await isAuthenticated.has(get, null)).toBe(false);
    expect(await isAuthenticated.has(get, authed)).toBe(true);
    expect(await isAuthenticated.has(get, inactive)).toBe(false);
    expect(await isAdmin.has(get, authed)).toBe(false);
    expect(await isAdmin.has(get, admin)).toBe(true);
  });

  it('isAuthenticatedOrReadOnly lets anyone read and only users write', async () => {
    expect(await isAuthenticatedOrReadOnly.has(get, null)).toBe(true);
    expect(await isAuthenticatedOrReadOnly.has(post, null)).toBe(false);
    expect(await isAuthenticatedOrReadOnly.has(post, authed)).toBe(true);
  });

  it('composes with allOf, anyOf and not', async () => {
    expect(await allOf(isAuthenticated, isAdmin).has(get, authed)).toBe(false);
    expect(await allOf(isAuthenticated, isAdmin).has(get, admin)).toBe(true);
    expect(await anyOf(isAdmin, isAuthenticatedOrReadOnly).has(get, null)).toBe(true);
    expect(await anyOf(isAdmin, isAuthenticatedOrReadOnly).has(post, null)).toBe(false);
    expect(await not(isAdmin).has(get, authed)).toBe(true);
  });
});

describe('credential lifecycle: each result goes back to the scheme that made it', () => {
  const tokenRow = (scopes: string[]) => ({
    id: 't1',
    userId: 1,
    name: 'ci',
    prefix: 'gat_abcd',
    scopes,
    createdAt: 0,
    lastUsedAt: null,
    expiresAt: null,
  });

  /** A scheme that records what the pipeline hands back to it. */
  function owning(name: 'token' | 'basic', live: boolean) {
    const seen: { finished: AuthResult[]; asked: AuthResult[] } = { finished: [], asked: [] };
    const s: Authenticator = {
      name,
      challenge: () => null,
      authenticate: async () => null,
      isLive: async (result) => {
        seen.asked.push(result);
        return live;
      },
      finish: async (result) => {
        seen.finished.push(result);
      },
    };
    return { s, seen };
  }

  it('finish and isLive reach only the scheme that answered; anonymous finishes nothing', async () => {
    const token = owning('token', true);
    const basic = owning('basic', false);
    const p = new Pipeline([token.s, basic.s]);
    const byToken: AuthResult = { user: user(), auth: tokenRow([]), scheme: 'token' };
    const byBasic: AuthResult = { user: user(), auth: null, scheme: 'basic' };
    await p.finish(byToken);
    await p.finish(null);
    expect(token.seen.finished).toEqual([byToken]);
    expect(basic.seen.finished).toEqual([]);
    expect(await p.isLive(byToken)).toBe(true);
    expect(await p.isLive(byBasic)).toBe(false);
    expect(token.seen.asked).toEqual([byToken]);
    expect(basic.seen.asked).toEqual([byBasic]);
  });

  it('fails closed: a result of a scheme not in the pipeline, or one without isLive, is not live', async () => {
    const p = new Pipeline([owning('token', true).s]);
    expect(await p.isLive({ user: user(), auth: null, scheme: 'basic' })).toBe(false);
    const silent = new Pipeline([{ name: 'basic', challenge: () => null, authenticate: async () => null }]);
    expect(await silent.isLive({ user: user(), auth: null, scheme: 'basic' })).toBe(false);
    await silent.finish({ user: user(), auth: null, scheme: 'basic' }); // nothing to commit
  });

  it('narrows by scheme without casts, and scopes come from the result the scheme made', async () => {
    const scoped: AuthResult = {
      user: user(),
      auth: tokenRow(['notes:read']),
      scheme: 'token',
      scopes: ['notes:read'],
    };
    const full: AuthResult = { user: user(), auth: tokenRow([]), scheme: 'token' };
    if (scoped.scheme === 'token') expect(scoped.auth.prefix).toBe('gat_abcd');
    expect(credentialScopes(scoped)).toEqual(['notes:read']);
    expect(credentialScopes(full)).toBeNull();
    expect(await hasScope('notes:read').has(get, scoped)).toBe(true);
    expect(await hasScope('notes:write').has(get, scoped)).toBe(false);
    expect(await hasScope('notes:write').has(get, full)).toBe(true);
  });
});
