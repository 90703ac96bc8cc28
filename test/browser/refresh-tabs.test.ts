/**
 * Two tabs of one browser refresh their JWT cookies at the same instant (jwt.cookie): both carry
 * the same refresh cookie, one request rotates it and the other, inside jwt.reuseGraceSeconds,
 * gets the same successor. Both tabs stay signed in, and the browser is left with one refresh
 * cookie: the successor, which refreshes again.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/session.js';
import { browserAvailable, useAccountPage } from './browser.js';

const available = browserAvailable();

/** A same-origin fetch from the page, with the CSRF token the context's csrftoken cookie holds. */
async function post(page: Page, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const csrf = (await page.context().cookies()).find((c) => c.name === 'csrftoken')?.value ?? '';
  return page.evaluate(
    async ([p, b, token]) => {
      const res = await fetch(p as string, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrftoken': token as string },
        body: b === undefined ? undefined : JSON.stringify(b),
      });
      return { status: res.status, body: await res.json() };
    },
    [path, body, csrf] as const,
  );
}

async function me(page: Page): Promise<number> {
  return page.evaluate(async () => (await fetch('/api/me/')).status);
}

describe.skipIf(!available)('two tabs refreshing at once with jwt.cookie, in chromium', () => {
  // Only the API is called here: no account page to compile.
  const t = useAccountPage({
    config: { authentication: ['session', 'jwt'], jwt: { cookie: true } },
    users: ['alice'],
    build: false,
  });
  let context: BrowserContext;

  // Registered after the page's hooks, so it runs before they close the browser.
  afterAll(async () => {
    await context?.close();
  });

  it('both stay signed in on one chain, and one refresh cookie remains', async () => {
    context = await t.browser.newContext();
    const [one, two] = [await context.newPage(), await context.newPage()];
    for (const tab of [one, two]) await tab.goto(`${t.gatehouse.url}/api/auth/csrf/`);
    const signedIn = await post(one, '/api/token/', { username: 'alice', password: PASSWORD });
    expect(signedIn.status).toBe(200);
    const refreshCookies = async () => (await context.cookies()).filter((c) => c.name === 'jwt-refresh');
    const [before] = await refreshCookies();

    // The server holds each spend until both tabs' refreshes have reached it: both were sent
    // with the refresh cookie the browser held then, as in a real race (the browser attaches
    // cookies when it sends, so the hold must be past that point).
    const jwtState = t.gatehouse.server.gh.ctx.stores.jwtState as unknown as Record<
      'spend' | 'rotate',
      (...args: unknown[]) => Promise<unknown>
    >;
    let arrived = 0;
    let release!: () => void;
    const bothIn = new Promise<void>((r) => {
      release = r;
    });
    for (const method of ['spend', 'rotate'] as const) {
      const original = jwtState[method].bind(jwtState);
      jwtState[method] = async (...args) => {
        if (++arrived === 2) release();
        await bothIn;
        return original(...args);
      };
    }
    const replies = await Promise.all([post(one, '/api/token/refresh/'), post(two, '/api/token/refresh/')]);

    expect(replies.map((r) => r.status)).toEqual([200, 200]);
    const after = await refreshCookies();
    expect(after).toHaveLength(1);
    expect(after[0]?.value).not.toBe(before?.value);
    expect(await me(one)).toBe(200);
    expect(await me(two)).toBe(200);
    // The family lives: the remaining cookie is the chain's head and refreshes again.
    expect((await post(two, '/api/token/refresh/')).status).toBe(200);
    expect(await me(one)).toBe(200);
    const events = (await t.gatehouse.server.gh.ctx.stores.audit.list({ limit: 50 })).map((e) => e.event);
    expect(events).toContain('refresh_replayed');
    expect(events).not.toContain('refresh_reuse_detected');
  }, 60_000);
});
