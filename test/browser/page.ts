import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { PASSWORD } from '../helpers/session.js';

/** Signs in through the page's form, with the keyboard only. */
export async function signIn(page: Page, url: string, username = 'alice'): Promise<void> {
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

/**
 * Signs in from Node as a non-browser client would (CSRF cookie and header, same Origin), with
 * its own User-Agent: a session that shows up in the page's list.
 */
export async function signInFromNode(url: string, username: string, userAgent: string): Promise<void> {
  const csrf = await fetch(`${url}/api/auth/csrf/`, { headers: { 'user-agent': userAgent } });
  const cookie = csrf.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const token = cookie.find((c) => c.startsWith('csrftoken='))!.slice('csrftoken='.length);
  const res = await fetch(`${url}/api/auth/login/`, {
    method: 'POST',
    headers: {
      'user-agent': userAgent,
      'content-type': 'application/json',
      origin: url,
      cookie: cookie.join('; '),
      'x-csrftoken': token,
    },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${await res.text()}`);
}

/** The little of the DOM that {@link contrastOf} uses in the page (the project's types have no DOM). */
interface StyledNode {
  parentElement: StyledNode | null;
}
declare const getComputedStyle: (node: StyledNode) => { color: string; backgroundColor: string };

/** The contrast of an element's text against what is behind it, per WCAG 2 (1 to 21). */
export async function contrastOf(page: Page, selector: string): Promise<number> {
  const colours = await page
    .locator(selector)
    .first()
    .evaluate((element) => {
      const node = element as unknown as StyledNode;
      const parse = (css: string): number[] => {
        const parts = (css.match(/[\d.]+/g) ?? ['0', '0', '0']).map(Number);
        return [parts[0]!, parts[1]!, parts[2]!, parts[3] ?? 1];
      };
      // The backgrounds from the element up to the first opaque one, composed from the bottom
      // (a transparent button shows its card, a card the page).
      const layers: number[][] = [];
      for (let n: StyledNode | null = node; n; n = n.parentElement) {
        const bg = parse(getComputedStyle(n).backgroundColor);
        if (bg[3]! > 0) layers.push(bg);
        if (bg[3] === 1) break;
      }
      let back = [255, 255, 255];
      for (const [r, g, b, a] of layers.reverse()) {
        back = [r! * a! + back[0]! * (1 - a!), g! * a! + back[1]! * (1 - a!), b! * a! + back[2]! * (1 - a!)];
      }
      return { fg: parse(getComputedStyle(node).color).slice(0, 3), bg: back };
    });
  const luminance = ([r, g, b]: number[]): number => {
    const lin = (c: number) => {
      const s = c / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
  };
  const [hi, lo] = [luminance(colours.fg), luminance(colours.bg)].sort((a, b) => b - a);
  return (hi! + 0.05) / (lo! + 0.05);
}
