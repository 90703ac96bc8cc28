import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueApiToken } from '../../src/schemes/token/issue.js';
import { ARTIFACTS, browserAvailable, useAccountPage } from './browser.js';
import { contrastOf, signIn, signInFromNode } from './page.js';

const available = browserAvailable();

// Real user agents, the longest kinds a session list meets: an in-app browser, and a tool
// that sends one long unbroken token.
const USER_AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/468.0.0.38.108;FBBV/611428473;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.5;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5;FBRV/612919285]',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  'curl/8.5.0',
  `${'very-long-client-name-without-any-spaces-'.repeat(8)}/1.0`,
];

const SCHEMES = ['light', 'dark'] as const;

describe.skipIf(!available)('the account page on phones, in both colour schemes', () => {
  const t = useAccountPage({
    // One user signs in a dozen times here; the login throttle is not what this file tests.
    config: { throttle: { login: null, loginUsername: null } },
    users: [{ username: 'erin', isAdmin: true }],
  });

  beforeAll(async () => {
    const ctx = t.gatehouse.server.gh.ctx;
    for (const ua of USER_AGENTS) await signInFromNode(t.gatehouse.url, 'erin', ua);
    const erin = (await ctx.stores.users.findByUsername('erin'))!;

    await issueApiToken(ctx, erin, { name: 'nightly backup on the build server', via: 'api' });
    await issueApiToken(ctx, erin, { name: `ci-${'x'.repeat(60)}`, via: 'api', lifetime: 30 * 86400 });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  async function openAccount(colorScheme: 'light' | 'dark', width: number, height: number): Promise<Page> {
    const context = await t.browser.newContext({ colorScheme, viewport: { width, height } });
    const page = await context.newPage();
    // A missing element fails fast, with its selector, rather than at the test's timeout.
    page.setDefaultTimeout(5000);
    await signIn(page, t.gatehouse.url, 'erin');
    await expect.poll(() => page.locator('#sessions [data-session]').count()).toBe(USER_AGENTS.length + 1);
    await expect.poll(() => page.locator('#tokens [data-token]').count()).toBe(2);
    return page;
  }

  /** Logs out (so the next page lists the same sessions) and closes the browser context. */
  async function closeAccount(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await page.locator('#signin-title').waitFor({ state: 'visible' });
    await page.context().close();
  }

  const overflow = (page: Page) =>
    page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as Promise<number>;

  it.each([390, 360])(
    'fits a %i px wide phone: no horizontal scroll, every Revoke on screen',
    async (width) => {
      const page = await openAccount('light', width, 844);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      const sessions = page.locator('#sessions [data-session]');
      expect(await sessions.locator('.device').allTextContents()).toEqual(
        expect.arrayContaining(['Safari on iPhone', 'Microsoft Edge on Windows', 'curl', 'Chrome on Linux']),
      );
      for (const button of await page.locator('.item-action button').all()) {
        const box = (await button.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(width);
      }
      // Dates are short words ("just now", "Jan 2, 2027"); the full date is the tooltip.
      for (const time of await page.locator('.facts time').all()) {
        expect((await time.textContent())!.length).toBeLessThanOrEqual(16);
        expect(await time.getAttribute('title')).toMatch(/\d{4}/);
        expect(Date.parse((await time.getAttribute('datetime'))!)).not.toBeNaN();
      }
      // The confirmation that replaces a button fits too.
      await sessions
        .last()
        .getByRole('button', { name: /Revoke/ })
        .click();
      await page.getByRole('group', { name: /^Revoke / }).waitFor({ state: 'visible' });
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await closeAccount(page);
    },
  );

  it.each(SCHEMES)(
    'meets WCAG AA contrast in the %s scheme (buttons, badges, hints, errors)',
    async (scheme) => {
      const page = await openAccount(scheme, 1280, 800);
      const checks: Record<string, string> = {
        'primary button': '#token-form button.primary',
        'This device badge': '#sessions .badge.ok',
        'staff badge': '#me-staff',
        'danger button': '#sessions button.danger',
        'secondary button': '#logout',
        hint: '#tokens-title + .hint',
        'session facts': '#sessions .facts',
      };
      await page
        .locator('#sessions [data-session]')
        .last()
        .getByRole('button', { name: /Revoke/ })
        .click();
      checks['confirm button'] = '.confirm button.danger.solid';
      await page.locator('#token-name').fill('x');
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.locator('#new-token').waitFor({ state: 'visible' });
      checks['status message'] = '#status';
      checks['key panel text'] = '#new-token label';
      const ratios: Record<string, number> = {};
      for (const [name, selector] of Object.entries(checks)) ratios[name] = await contrastOf(page, selector);
      for (const [name, ratio] of Object.entries(ratios))
        expect(ratio, `${scheme}: ${name}`).toBeGreaterThanOrEqual(4.5);
      // The token made to show the key panel goes again, so the next page lists the same ones.
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('button', { name: 'Revoke token x' }).click();
      await page.getByRole('group', { name: 'Revoke “x”?' }).getByRole('button', { name: 'Revoke' }).click();
      await expect.poll(() => page.locator('#tokens [data-token]').count()).toBe(2);
      await closeAccount(page);

      const signin = await (await t.browser.newContext({ colorScheme: scheme })).newPage();
      await signin.goto(`${t.gatehouse.url}/`);
      await signin.locator('#signin-username').focus();
      await signin.keyboard.press('Enter');
      await signin.locator('#signin-username-error').waitFor({ state: 'visible' });
      expect(await contrastOf(signin, '#signin-form button.primary')).toBeGreaterThanOrEqual(4.5);
      expect(await contrastOf(signin, '#signin-username-error')).toBeGreaterThanOrEqual(4.5);
      await signin.context().close();
    },
  );

  it('writes screenshots: desktop and phone, light and dark', async () => {
    const sizes = { desktop: [1280, 800], phone: [390, 844] } as const;
    for (const scheme of SCHEMES) {
      for (const [name, [width, height]] of Object.entries(sizes)) {
        const page = await openAccount(scheme, width, height);
        await page.evaluate('document.activeElement?.blur()');
        await page.screenshot({ path: join(ARTIFACTS, `account-${name}-${scheme}.png`), fullPage: true });
        await closeAccount(page);
      }
      // The sign-in form as a phone shows it, with a field error beside its field.
      const signin = await (
        await t.browser.newContext({ colorScheme: scheme, viewport: { width: 390, height: 844 } })
      ).newPage();
      await signin.goto(`${t.gatehouse.url}/`);
      await signin.locator('#signin-username').fill('erin');
      await signin.getByRole('button', { name: 'Sign in' }).click();
      await signin.locator('#signin-password-error').waitFor({ state: 'visible' });
      await signin.screenshot({ path: join(ARTIFACTS, `signin-phone-${scheme}.png`), fullPage: true });
      await signin.context().close();
    }
  });
});
