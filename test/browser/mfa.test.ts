import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/session.js';
import { browserAvailable, newContext, useAccountPage } from './browser.js';
import { signIn } from './page.js';

const available = browserAvailable();

/** A code of the authenticator app, `ahead` seconds from now (the server takes a step either side). */
const codeFor = (secret: string, ahead = 0): Promise<string> =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + ahead });

describe.skipIf(!available)('two-factor authentication on the account page in chromium', () => {
  const t = useAccountPage({ users: ['dana'] });

  /** Logs out and signs in again with the password: the page asks for the second step. */
  async function firstStep(page: Page): Promise<void> {
    await page.click('#logout');
    await page.locator('#signin-form').waitFor({ state: 'visible' });
    await page.fill('#signin-username', 'dana');
    await page.fill('#signin-password', PASSWORD);
    await page.press('#signin-password', 'Enter');
    await page.locator('#mfa-form').waitFor({ state: 'visible' });
    expect(await page.locator('#account').isHidden()).toBe(true);
  }

  async function secondStep(page: Page, code: string): Promise<void> {
    await page.fill('#mfa-code', code);
    await page.press('#mfa-code', 'Enter');
  }

  it('turns TOTP on with a QR code, shows the recovery codes once, and asks for a code at sign-in', async () => {
    const context = await newContext(t.browser, t.gatehouse.url);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await signIn(page, t.gatehouse.url, 'dana');
    await expect.poll(() => page.locator('#mfa-state').textContent()).toContain('Off');

    await page.fill('#mfa-setup-password', PASSWORD);
    await page.click('#mfa-setup-form button[type=submit]');
    await page.locator('#mfa-enrol').waitFor({ state: 'visible' });
    const secret = (await page.locator('#mfa-secret').textContent())!;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await page.locator('#mfa-qr svg path').count()).toBeGreaterThan(0);
    await page.fill('#mfa-confirm-code', await codeFor(secret));
    await page.click('#mfa-confirm-form button[type=submit]');
    await page.locator('#mfa-codes').waitFor({ state: 'visible' });
    const codes = await page.locator('#mfa-code-list li').allTextContents();
    expect(codes).toHaveLength(10);
    await expect.poll(() => page.locator('#mfa-state').textContent()).toContain('10 recovery codes left');
    await page.click('#mfa-codes-done');
    expect(await page.locator('#mfa-code-list li').count()).toBe(0);

    // The password alone: the second step, where a wrong code is said beside the field.
    await firstStep(page);
    await secondStep(page, '000000');
    await expect.poll(() => page.locator('#mfa-code').getAttribute('aria-invalid')).toBe('true');
    // The next step's code (the confirming one was spent): the server takes one step of drift.
    await secondStep(page, await codeFor(secret, 30));
    await page.locator('#account-title').waitFor({ state: 'visible' });

    // A recovery code works in place of the app's code, once.
    await firstStep(page);
    await secondStep(page, codes[0]!);
    await page.locator('#account-title').waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#mfa-state').textContent()).toContain('9 recovery codes left');

    await page.fill('#mfa-disable-password', PASSWORD);
    await page.click('#mfa-disable-form button[type=submit]');
    await expect.poll(() => page.locator('#mfa-state').textContent()).toContain('Off');
    expect(problems).toEqual([]);
    await context.close();
  });
});
