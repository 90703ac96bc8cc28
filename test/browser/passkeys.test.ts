import type { CDPSession, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/session.js';
import { browserAvailable, newContext, useAccountPage } from './browser.js';
import { signIn } from './page.js';

const available = browserAvailable();

/** What WebAuthn.getCredentials hands back of a virtual authenticator's credential. */
interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId: string;
  privateKey: string;
  userHandle: string;
  signCount: number;
}

describe.skipIf(!available)('passkeys on the account page in chromium', () => {
  const t = useAccountPage({
    config: { mfa: { passkeys: { rpId: 'localhost', origins: ['http://localhost'] } } },
    users: ['erin'],
  });
  /** The page's origin: passkeys need a domain (never an IP), so localhost on the server's port. */
  let origin: string;

  beforeAll(() => {
    // The allowed origin carries the port, known only once the server listens on port 0: the
    // service reads its settings per ceremony, so the test names the real origin here.
    origin = `http://localhost:${new URL(t.gatehouse.url).port}`;
    const settings = t.gatehouse.server.gh.ctx.config.mfa.passkeys!;
    (settings.origins as string[]).splice(0, settings.origins.length, origin);
  });

  /** A platform authenticator that holds discoverable credentials and verifies its user. */
  async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    return { cdp, authenticatorId };
  }

  async function signInWithPasskey(page: Page): Promise<void> {
    await page.click('#logout');
    await page.locator('#signin-form').waitFor({ state: 'visible' });
    await page.click('#passkey-signin');
  }

  it('registers a passkey from the account page, signs in with it, and refuses a clone', async () => {
    const context = await newContext(t.browser, origin);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    const { cdp, authenticatorId } = await virtualAuthenticator(page);
    await signIn(page, origin, 'erin');
    await page.locator('#passkeys-card').waitFor({ state: 'visible' });

    await page.fill('#passkey-name', 'laptop');
    await page.click('#passkey-form button[type=submit]');
    await expect
      .poll(() => page.locator('#passkey-list li').allTextContents())
      .toEqual([expect.stringContaining('laptop')]);
    const { credentials } = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })) as {
      credentials: VirtualCredential[];
    };
    expect(credentials).toHaveLength(1);
    const copied = credentials[0]!;
    expect(copied.isResidentCredential).toBe(true);

    // No username, no password: the passkey is both factors.
    await signInWithPasskey(page);
    await page.locator('#account-title').waitFor({ state: 'visible' });
    expect(await page.locator('#me-username').textContent()).toBe('erin');
    await signInWithPasskey(page);
    await page.locator('#account-title').waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#passkey-list li').textContent()).not.toContain('never');

    // A copy of the key made before those sign-ins: its counter is behind the server's.
    await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: copied.credentialId });
    await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: { ...copied, signCount: 0 } });
    await signInWithPasskey(page);
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/sign counter did not advance/);
    expect(await page.locator('#account-title').isVisible()).toBe(false);
    const user = await t.gatehouse.server.gh.ctx.stores.users.findByUsername('erin');
    const events = await t.gatehouse.server.gh.ctx.stores.audit.list({ userId: user!.id, limit: 50 });
    expect(events.map((e) => e.event)).toContain('passkey_cloned');

    // The key again, its counter ahead. A passkey is a second factor: the password alone is not
    // enough, the second step offers the passkey (no code: this user has no TOTP).
    await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: copied.credentialId });
    await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: { ...copied, signCount: 100 } });
    await page.fill('#signin-username', 'erin');
    await page.fill('#signin-password', PASSWORD);
    await page.press('#signin-password', 'Enter');
    await page.locator('#mfa-passkey').waitFor({ state: 'visible' });
    expect(await page.locator('#mfa-code').isVisible()).toBe(false);
    expect(await page.locator('#account-title').isVisible()).toBe(false);
    await page.click('#mfa-passkey');
    await page.locator('#account-title').waitFor({ state: 'visible' });
    expect(await page.locator('#mfa-state').textContent()).toContain('passkeys is asked');

    // Removed from the page, the passkey no longer stands between the password and the account.
    await page.click('#passkey-list li button');
    await expect.poll(() => page.locator('#passkey-list li').count()).toBe(0);
    await page.click('#logout');
    await page.locator('#signin-form').waitFor({ state: 'visible' });
    await signIn(page, origin, 'erin');
    expect(await page.locator('#me-username').textContent()).toBe('erin');
    expect(problems).toEqual([]);
    await context.close();
  });
});
