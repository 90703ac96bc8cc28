import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkIn, startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { browserAvailable, newContext, useAccountPage } from './browser.js';

const available = browserAvailable();
const NEW_PASSWORD = 'a brand new passphrase 42';

describe.skipIf(!available)('the account page’s mail flows in chromium', () => {
  let smtp: TestSmtp;

  // Registered before the page's hooks: the mail server starts before it and closes after it.
  beforeAll(async () => {
    smtp = await startSmtp();
  });

  afterAll(async () => {
    await smtp?.close();
  });

  const t = useAccountPage(() => ({
    config: { email: { url: smtp.url } },
    users: [{ username: 'alice', email: 'alice@example.com' }],
  }));

  it('forgot password → mail → reset page → sign in with the new password; then an email change confirmed by its link', async () => {
    const context = await newContext(t.browser, t.gatehouse.url);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${t.gatehouse.url}/`);
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
