import { mkdirSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_PAGE_CSP } from '../../src/server/account-page.js';
import { PASSWORD } from '../helpers/session.js';
import { ARTIFACTS, browserAvailable, newContext, useAccountPage } from './browser.js';
import { signIn } from './page.js';

const available = browserAvailable();

describe.skipIf(!available)('the account page in chromium', () => {
  const t = useAccountPage({ config: { signup: true }, users: ['alice', 'bob', 'carol'] });
  /** Another origin (another port) with forms that post to t.gatehouse. */
  let attacker: HttpServer;
  let attackerUrl: string;

  beforeAll(async () => {
    attacker = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>Win a prize</title>
        <form id="everywhere" method="POST" action="${t.gatehouse.url}/api/auth/logout-all/"><button>Claim</button></form>
        <form id="login" method="POST" action="${t.gatehouse.url}/api/auth/login/">
          <input name="username" value="mallory"><input name="password" value="x"><button>Go</button>
        </form>`);
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await new Promise((r) => attacker?.close(r));
  });

  it('signs in by keyboard and shows the user, the scheme and this device; the cookie is HttpOnly and Lax', async () => {
    const context = await newContext(t.browser, t.gatehouse.url);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      // The anonymous 403 from /api/me/ before signing in is expected; anything else (a CSP
      // violation, a script error) is not.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const res = await page.goto(`${t.gatehouse.url}/`);
    expect(res?.headers()['content-security-policy']).toBe(ACCOUNT_PAGE_CSP);
    await signIn(page, t.gatehouse.url);
    await expect.poll(() => page.locator('#me-username').textContent()).toBe('alice');
    expect(await page.locator('#me-scheme').textContent()).toContain('session');
    const rows = page.locator('#sessions [data-session]');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('This device');
    // The device is named (headless chromium on Linux), the raw user agent is its tooltip.
    const device = rows.first().locator('.device');
    expect(await device.textContent()).toBe('Chrome on Linux');
    expect(await device.getAttribute('title')).toBe(await page.evaluate('navigator.userAgent'));
    // Said once: in the account's head, not again in the status region.
    expect((await page.locator('body').allInnerTexts()).join('').match(/Signed in as/g)).toHaveLength(1);

    const cookies = await context.cookies(t.gatehouse.url);
    const session = cookies.find((c) => c.name === 'sessionid')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false });
    expect(session.value).toMatch(/^[\w-]{43}$/);
    const csrf = cookies.find((c) => c.name === 'csrftoken')!;
    expect(csrf).toMatchObject({ httpOnly: false, sameSite: 'Lax' });
    // Page scripts cannot read the session id.
    expect(await page.evaluate('document.cookie')).not.toContain('sessionid');

    await page.screenshot({ path: join(ARTIFACTS, 'account-signed-in.png'), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('refuses a form on another origin posting to gatehouse with 403', async () => {
    const context = await newContext(t.browser, t.gatehouse.url);
    const page = await context.newPage();
    await signIn(page, t.gatehouse.url);
    await page.goto(attackerUrl);
    const [everywhere] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/auth/logout-all/')),
      page.click('#everywhere button'),
    ]);
    // 127.0.0.1 on another port is the same site, so the Lax cookie went along: the Origin check refused it.
    expect(everywhere.status()).toBe(403);
    expect(await everywhere.json()).toMatchObject({ code: 'csrf_origin' });
    await page.goto(attackerUrl);
    const [login] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/auth/login/')),
      page.click('#login button'),
    ]);
    expect(login.status()).toBe(403);
    // Still signed in as alice: neither request did anything.
    await page.goto(`${t.gatehouse.url}/`);
    await expect.poll(() => page.locator('#me-username').textContent()).toBe('alice');
    await context.close();
  });

  it('revoking a session from a second browser signs the first out at its next request', async () => {
    const first = await newContext(t.browser, t.gatehouse.url);
    const second = await newContext(t.browser, t.gatehouse.url);
    const a = await first.newPage();
    const b = await second.newPage();
    await signIn(a, t.gatehouse.url, 'bob');
    await signIn(b, t.gatehouse.url, 'bob');
    await expect.poll(() => b.locator('#sessions [data-session]').count()).toBe(2);
    const other = b.locator('#sessions [data-session]', { hasNotText: 'This device' });
    const revoke = other.getByRole('button', { name: /Revoke the session on Chrome on Linux/ });
    // Asked first; Cancel (focused, so Enter twice is harmless) and Escape revoke nothing.
    await revoke.click();
    const confirm = other.getByRole('group', { name: 'Revoke Chrome on Linux?' });
    await confirm.waitFor({ state: 'visible' });
    expect(await b.evaluate('document.activeElement.textContent')).toBe('Cancel');
    await b.keyboard.press('Enter');
    await confirm.waitFor({ state: 'detached' });
    expect(await b.evaluate('document.activeElement.getAttribute("aria-label")')).toMatch(
      /^Revoke the session/,
    );
    await b.keyboard.press('Enter');
    await confirm.waitFor({ state: 'visible' });
    await b.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    const bob = (await t.gatehouse.server.gh.ctx.stores.users.findByUsername('bob'))!;
    expect(await t.gatehouse.server.gh.ctx.stores.sessions.listForUser(bob.id)).toHaveLength(2);
    expect(await a.evaluate('fetch("/api/me/").then((r) => r.status)')).toBe(200);

    await revoke.click();
    await confirm.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect.poll(() => b.locator('#sessions [data-session]').count()).toBe(1);
    await expect.poll(() => b.locator('#status').textContent()).toContain('Session revoked');

    // The first browser still shows its page; its next request finds it signed out.
    await a.locator('#token-name').fill('after revoke');
    await a.getByRole('button', { name: 'Create token' }).click();
    await a.locator('#signin-title').waitFor({ state: 'visible' });
    expect(await a.locator('#status').textContent()).toContain('signed out');
    expect(await a.locator('#status').getAttribute('data-tone')).toBe('error');
    await first.close();
    await second.close();
  });

  it('creates an API token in the page (key shown once, copy button) that works from Node', async () => {
    const context = await newContext(t.browser, t.gatehouse.url);
    const page = await context.newPage();
    await signIn(page, t.gatehouse.url, 'carol');
    await page.locator('#token-name').fill('ci script');
    await page.getByRole('button', { name: 'Create token' }).click();
    const keyInput = page.locator('#new-token-key');
    await keyInput.waitFor({ state: 'visible' });
    const key = await keyInput.inputValue();
    expect(key).toMatch(/^gat_/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toContain('copied');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(key);
    expect(await page.locator('#tokens [data-token]').count()).toBe(1);
    expect(await page.locator('#tokens').textContent()).not.toContain(key);

    const me = await fetch(`${t.gatehouse.url}/api/me/`, { headers: { authorization: `Token ${key}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: 'carol', auth: 'token' });

    // Dismissed, the key is gone from the page for good.
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.locator('#new-token').isHidden()).toBe(true);
    await page.reload();
    await page.locator('#account-title').waitFor({ state: 'visible' });
    expect(await page.content()).not.toContain(key);

    // Revoking asks first: cancelled, the key still works; confirmed, it does not.
    const revoke = page.getByRole('button', { name: 'Revoke token ci script' });
    await revoke.click();
    const confirm = page.getByRole('group', { name: 'Revoke “ci script”?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    const meWith = () => fetch(`${t.gatehouse.url}/api/me/`, { headers: { authorization: `Token ${key}` } });
    expect((await meWith()).status).toBe(200);
    await revoke.click();
    await confirm.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('Token “ci script” revoked.');
    expect(await page.locator('#tokens').textContent()).toContain('No tokens yet.');
    const refused = await meWith();
    expect(refused.status).toBeGreaterThanOrEqual(401);
    expect(await refused.json()).toMatchObject({ code: 'authentication_failed' });
    await context.close();
  });

  it('signs up, logs out, and logs out everywhere', async () => {
    const context = await newContext(t.browser, t.gatehouse.url);
    const page = await context.newPage();
    await page.goto(`${t.gatehouse.url}/`);
    await page.getByRole('button', { name: 'Create one' }).click();
    await page.locator('#signup-username').fill('dave');
    await page.locator('#signup-password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    // The password's problem is beside the password field, not in a banner.
    await expect.poll(() => page.locator('#signup-password-error').textContent()).toContain('password');
    await page.locator('#signup-password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.locator('#me-username').textContent()).toBe('dave');

    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await page.locator('#signin-title').waitFor({ state: 'visible' });
    expect((await context.cookies(t.gatehouse.url)).some((c) => c.name === 'sessionid')).toBe(false);

    await signIn(page, t.gatehouse.url, 'dave');
    await page.getByRole('button', { name: 'Log out everywhere' }).click();
    await page
      .getByRole('group', { name: /Sign out every browser/ })
      .getByRole('button', { name: 'Log out everywhere' })
      .click();
    await page.locator('#signin-title').waitFor({ state: 'visible' });
    expect(await page.locator('#status').textContent()).toContain('everywhere');
    const sessions = await t.gatehouse.server.gh.ctx.stores.sessions.listForUser(
      (await t.gatehouse.server.gh.ctx.stores.users.findByUsername('dave'))!.id,
    );
    expect(sessions).toEqual([]);
    await context.close();
  });

  it('answers a wrong password with a clear message', async () => {
    const context = await newContext(t.browser, t.gatehouse.url);
    const page = await context.newPage();
    await page.goto(`${t.gatehouse.url}/`);
    await page.locator('#signin-username').fill('alice');
    await page.locator('#signin-password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.locator('#status').textContent())
      .toBe('Unable to log in with provided credentials.');
    expect(await page.locator('#status').getAttribute('data-tone')).toBe('error');
    await context.close();
  });
});
