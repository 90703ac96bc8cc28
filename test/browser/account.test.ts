import { mkdirSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_PAGE_CSP } from '../../src/server/account-page.js';
import { PASSWORD } from '../helpers/session.js';
import {
  ARTIFACTS,
  browserAvailable,
  buildAccountPage,
  type LaunchedBrowser,
  launchBrowser,
  newContext,
  type RunningGatehouse,
  startGatehouse,
} from './browser.js';

const available = browserAvailable();

/** Signs in through the page's form, with the keyboard only. */
async function signIn(page: Page, url: string, username = 'alice'): Promise<void> {
  await page.goto(`${url}/`);
  await expect
    .poll(() => page.evaluate('document.activeElement && document.activeElement.id'))
    .toBe('signin-title');
  await page.keyboard.press('Tab');
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.locator('#account-title').waitFor({ state: 'visible' });
}

describe.skipIf(!available)('the account page in chromium', () => {
  let gatehouse: RunningGatehouse;
  let launched: LaunchedBrowser;
  let browser: Browser;
  /** Another origin (another port) with forms that post to gatehouse. */
  let attacker: HttpServer;
  let attackerUrl: string;

  beforeAll(async () => {
    buildAccountPage();
    gatehouse = await startGatehouse({ signup: true });
    const ctx = gatehouse.server.gh.ctx;
    for (const username of ['alice', 'bob', 'carol']) {
      await ctx.stores.users.create({
        username,
        passwordHash: await ctx.passwords.hash(PASSWORD),
        dateJoined: Date.now(),
      });
    }
    attacker = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>Win a prize</title>
        <form id="everywhere" method="POST" action="${gatehouse.url}/api/auth/logout-all/"><button>Claim</button></form>
        <form id="login" method="POST" action="${gatehouse.url}/api/auth/login/">
          <input name="username" value="mallory"><input name="password" value="x"><button>Go</button>
        </form>`);
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    launched = await launchBrowser();
    browser = launched.browser;
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await launched?.close();
    await new Promise((r) => attacker?.close(r));
    await gatehouse?.close();
  });

  it('signs in by keyboard and shows the user, the scheme and this device; the cookie is HttpOnly and Lax', async () => {
    const context = await newContext(browser, gatehouse.url);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      // The anonymous 403 from /api/me/ before signing in is expected; anything else (a CSP
      // violation, a script error) is not.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const res = await page.goto(`${gatehouse.url}/`);
    expect(res?.headers()['content-security-policy']).toBe(ACCOUNT_PAGE_CSP);
    await signIn(page, gatehouse.url);
    await expect.poll(() => page.locator('#me-username').textContent()).toBe('alice');
    expect(await page.locator('#me-scheme').textContent()).toContain('session');
    const rows = page.locator('#sessions tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('This device');

    const cookies = await context.cookies(gatehouse.url);
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
    const context = await newContext(browser, gatehouse.url);
    const page = await context.newPage();
    await signIn(page, gatehouse.url);
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
    await page.goto(`${gatehouse.url}/`);
    await expect.poll(() => page.locator('#me-username').textContent()).toBe('alice');
    await context.close();
  });

  it('revoking a session from a second browser signs the first out at its next request', async () => {
    const first = await newContext(browser, gatehouse.url);
    const second = await newContext(browser, gatehouse.url);
    const a = await first.newPage();
    const b = await second.newPage();
    await signIn(a, gatehouse.url, 'bob');
    await signIn(b, gatehouse.url, 'bob');
    await expect.poll(() => b.locator('#sessions tr').count()).toBe(2);
    const other = b.locator('#sessions tr', { hasNotText: 'This device' });
    await other.getByRole('button', { name: /Revoke/ }).click();
    await expect.poll(() => b.locator('#sessions tr').count()).toBe(1);
    await expect.poll(() => b.locator('#status').textContent()).toContain('Session revoked');

    // The first browser still shows its page; its next request finds it signed out.
    await a.locator('#token-name').fill('after revoke');
    await a.getByRole('button', { name: 'Create token' }).click();
    await a.locator('#signin-title').waitFor({ state: 'visible' });
    expect(await a.locator('#error').textContent()).toContain('signed out');
    await first.close();
    await second.close();
  });

  it('creates an API token in the page (key shown once, copy button) that works from Node', async () => {
    const context = await newContext(browser, gatehouse.url);
    const page = await context.newPage();
    await signIn(page, gatehouse.url, 'carol');
    await page.locator('#token-name').fill('ci script');
    await page.getByRole('button', { name: 'Create token' }).click();
    const keyInput = page.locator('#new-token-key');
    await keyInput.waitFor({ state: 'visible' });
    const key = await keyInput.inputValue();
    expect(key).toMatch(/^gat_/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toContain('copied');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(key);
    expect(await page.locator('#tokens tr').count()).toBe(1);
    expect(await page.locator('#tokens').textContent()).not.toContain(key);

    const me = await fetch(`${gatehouse.url}/api/me/`, { headers: { authorization: `Token ${key}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: 'carol', auth: 'token' });

    // Dismissed, the key is gone from the page for good.
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.locator('#new-token').isHidden()).toBe(true);
    await page.reload();
    await page.locator('#account-title').waitFor({ state: 'visible' });
    expect(await page.content()).not.toContain(key);
    await context.close();
  });

  it('signs up, logs out, and logs out everywhere', async () => {
    const context = await newContext(browser, gatehouse.url);
    const page = await context.newPage();
    await page.goto(`${gatehouse.url}/`);
    await page.getByRole('button', { name: 'Create one' }).click();
    await page.locator('#signup-username').fill('dave');
    await page.locator('#signup-password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.locator('#error').textContent()).toContain('password');
    await page.locator('#signup-password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.locator('#me-username').textContent()).toBe('dave');

    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await page.locator('#signin-title').waitFor({ state: 'visible' });
    expect((await context.cookies(gatehouse.url)).some((c) => c.name === 'sessionid')).toBe(false);

    await signIn(page, gatehouse.url, 'dave');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Log out everywhere' }).click();
    await page.locator('#signin-title').waitFor({ state: 'visible' });
    expect(await page.locator('#status').textContent()).toContain('everywhere');
    const sessions = await gatehouse.server.gh.ctx.stores.sessions.listForUser(
      (await gatehouse.server.gh.ctx.stores.users.findByUsername('dave'))!.id,
    );
    expect(sessions).toEqual([]);
    await context.close();
  });

  it('answers a wrong password with a clear message', async () => {
    const context = await newContext(browser, gatehouse.url);
    const page = await context.newPage();
    await page.goto(`${gatehouse.url}/`);
    await page.locator('#signin-username').fill('alice');
    await page.locator('#signin-password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.locator('#error').textContent())
      .toBe('Unable to log in with provided credentials.');
    await context.close();
  });
});
