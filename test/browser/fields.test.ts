import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserAvailable, useAccountPage } from './browser.js';
import { signIn } from './page.js';

const available = browserAvailable();

/** What a screen reader gets for a control: its error's place, its description, its state. */
async function fieldState(page: Page, id: string) {
  return page.evaluate(`(() => {
    const control = document.getElementById(${JSON.stringify(id)});
    const error = document.getElementById(${JSON.stringify(`${id}-error`)});
    return {
      error: error && error.textContent,
      besideControl: !!error && error.parentElement === control.parentElement,
      describedBy: (control.getAttribute('aria-describedby') || '').split(' ').filter(Boolean),
      invalid: control.getAttribute('aria-invalid'),
      focused: document.activeElement === control,
    };
  })()`) as Promise<{
    error: string | null;
    besideControl: boolean;
    describedBy: string[];
    invalid: string | null;
    focused: boolean;
  }>;
}

describe.skipIf(!available)('field errors on the account page', () => {
  const t = useAccountPage({
    // A server that caps token lifetimes at 30 days, so the page's "in 1 year" is refused.
    config: { signup: true, tokens: { maxAge: '30d' } },
    users: ['frank'],
  });

  it('an empty sign-in field gets its own message beside it, announced and focused', async () => {
    const page = await (await t.browser.newContext()).newPage();
    await page.goto(`${t.gatehouse.url}/`);
    await page.locator('#signin-title').waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await fieldState(page, 'signin-username')).toEqual({
      error: 'Enter your username.',
      besideControl: true,
      describedBy: ['signin-username-error'],
      invalid: 'true',
      focused: true,
    });
    expect(await fieldState(page, 'signin-password')).toMatchObject({ error: 'Enter your password.' });
    // Not also in a banner: the status region stays empty.
    expect(await page.locator('#status').textContent()).toBe('');
    // Typing clears that field's error, and only that one.
    await page.keyboard.type('frank');
    expect(await fieldState(page, 'signin-username')).toMatchObject({
      error: null,
      describedBy: [],
      invalid: null,
    });
    expect(await fieldState(page, 'signin-password')).toMatchObject({ error: 'Enter your password.' });
    await page.context().close();
  });

  it('the server’s password rules land beside the sign-up password, after its hint', async () => {
    const page = await (await t.browser.newContext()).newPage();
    await page.goto(`${t.gatehouse.url}/`);
    await page.getByRole('button', { name: 'Create one' }).click();
    await page.locator('#signup-username').fill('grace');
    await page.locator('#signup-password').fill('12345678');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#signup-password-error').waitFor({ state: 'visible' });
    const state = await fieldState(page, 'signup-password');
    expect(state).toMatchObject({ besideControl: true, invalid: 'true', focused: true });
    expect(state.error).toMatch(/numeric|common/);
    expect(state.describedBy).toEqual(['signup-password-hint', 'signup-password-error']);
    expect(await page.evaluate('document.getElementById("signup-password-hint").nextElementSibling.id')).toBe(
      'signup-password-error',
    );
    await page.context().close();
  });

  it('a token lifetime beyond the server’s limit is explained beside the Expires field, in days', async () => {
    const page = await (await t.browser.newContext()).newPage();
    await signIn(page, t.gatehouse.url, 'frank');
    await page.locator('#token-name').fill('backup');
    await page.locator('#token-expiry').selectOption({ label: 'in 1 year' });
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.locator('#token-expiry-error').waitFor({ state: 'visible' });
    expect(await fieldState(page, 'token-expiry')).toEqual({
      error: 'This server allows tokens for at most 30 days: choose a shorter time.',
      besideControl: true,
      describedBy: ['token-expiry-error'],
      invalid: 'true',
      focused: true,
    });
    expect(await page.locator('#tokens [data-token]').count()).toBe(0);
    // Corrected, it goes through and the error is gone.
    await page.locator('#token-expiry').selectOption({ label: 'in 30 days' });
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.locator('#new-token').waitFor({ state: 'visible' });
    expect(await page.locator('#token-expiry-error').count()).toBe(0);
    await page.context().close();
  });
});
