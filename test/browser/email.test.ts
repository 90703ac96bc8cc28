import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/session.js';
import { linkIn, startSmtp, type TestSmtp } from '../helpers/smtp.js';
import {
  browserAvailable,
  buildAccountPage,
  type LaunchedBrowser,
  launchBrowser,
  newContext,
  type RunningGatehouse,
  startGatehouse,
} from './browser.js';

const available = browserAvailable();
const NEW_PASSWORD = 'a brand new passphrase 42';

describe.skipIf(!available)('the account page’s mail flows in chromium', () => {
  let smtp: TestSmtp;
  let gatehouse: RunningGatehouse;
  let launched: LaunchedBrowser;
  let browser: Browser;

  beforeAll(async () => {
    buildAccountPage();
    smtp = await startSmtp();
    gatehouse = await startGatehouse({ email: { url: smtp.url } });
    const ctx = gatehouse.server.gh.ctx;
    await ctx.stores.users.create({
      username: 'alice',
      email: 'alice@example.com',
      passwordHash: await ctx.passwords.hash(PASSWORD),
      dateJoined: Date.now(),
    });
    launched = await launchBrowser();
    browser = launched.browser;
  });

  afterAll(async () => {
    await launched?.close();
    await gatehouse?.close();
    await smtp?.close();
  });

  it('forgot password → mail → reset page → sign in with the new password; then an email change confirmed by its link', async () => {
    const context = await newContext(browser, gatehouse.url);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${gatehouse.url}/`);
    await page.locator('#show-forgot').click();
    await page.locator('#forgot-email').fill('alice@example.com');
    await page.locator('#forgot-email').press('Enter');
    await expect.poll(() => page.locator('#status').textContent()).toContain('on its way');

    const { url } = linkIn(await smtp.waitFor('alice@example.com'));
    await page.goto(url.toString());
    await page.locator('#reset-title').waitFor({ state: 'visible' });
    await page.locator('#reset-password').fill('123');
    await page.locator('#reset-password').press('Enter');
    // The validators speak beside the field, and the link stays good.
    await page.locator('#reset-password-error').waitFor({ state: 'visible' });
    await page.locator('#reset-password').fill(NEW_PASSWORD);
    await page.locator('#reset-password').press('Enter');
    await page.locator('#signin-title').waitFor({ state: 'visible' });
    expect(await page.locator('#status').textContent()).toContain('Your password is set');
    // The token left the address bar.
    expect(new URL(page.url()).search).toBe('');

    await page.locator('#signin-username').fill('alice');
    await page.locator('#signin-password').fill(NEW_PASSWORD);
    await page.locator('#signin-password').press('Enter');
    await page.locator('#account-title').waitFor({ state: 'visible' });
    // Following the reset link proved the address: no banner.
    expect(await page.locator('#verify-banner').isHidden()).toBe(true);
    expect(await page.locator('#me-email').textContent()).toBe('alice@example.com');

    await page.locator('#email-new').fill('alice@new.example');
    await page.locator('#email-password').fill(NEW_PASSWORD);
    await page.locator('#email-password').press('Enter');
    await expect.poll(() => page.locator('#status').textContent()).toContain('alice@new.example');
    const change = linkIn(await smtp.waitFor('alice@new.example'));
    await page.goto(change.url.toString());
    await expect.poll(() => page.locator('#me-email').textContent()).toBe('alice@new.example');
    expect(await page.locator('#status').textContent()).toContain('verified');
    expect(problems).toEqual([]);
    await context.close();
  });
});
