import { expect } from 'vitest';
import { type Answer, browse, type Jar, send } from '../http.js';
import type { RunningTarget } from '../targets.js';

export const EVIL = 'https://evil.example';
export const token = (key: string) => ({ authorization: `Token ${key}` });
export const bearer = (access: string) => ({ authorization: `Bearer ${access}` });

/**
 * One walk over an app's contract (openapi-conformance.test.ts): the requests go through `send`,
 * which the conformance check listens to; the walk knows what the app's configuration changes.
 */
export class Walk {
  readonly cookieMode: boolean;
  readonly sliding: boolean;
  readonly signup: boolean;
  private n = 0;

  constructor(readonly t: RunningTarget) {
    const { config } = t.gh.ctx;
    this.cookieMode = config.jwt.cookie !== null;
    this.sliding = config.jwt.authTokenTypes.includes('sliding');
    this.signup = config.signup;
  }

  url(path: string): string {
    return this.t.base + path;
  }

  send(method: string, path: string, opts: Parameters<typeof send>[2] = {}): Promise<Answer> {
    return send(method, this.url(path), opts);
  }

  browse(jar: Jar, method: string, path: string, opts: Parameters<typeof browse>[4] = {}): Promise<Answer> {
    return browse(jar, this.t.origin, method, this.url(path), opts);
  }

  /** A fresh user with PASSWORD. */
  async user(): Promise<string> {
    const name = `u${++this.n}`;
    await this.t.user(name);
    return name;
  }

  /** Resets the per-minute windows between phases, so one phase's requests do not throttle the next. */
  nextMinutes(): void {
    this.t.clock.advance('2m');
  }
}

export async function expectStatus(answer: Promise<Answer>, status: number): Promise<Answer> {
  const res = await answer;
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res;
}

/** Sends `request` until it answers 429 (each counted attempt moves toward the limit). */
export async function untilThrottled(request: () => Promise<Answer>): Promise<void> {
  for (let i = 0; i < 40; i++) if ((await request()).status === 429) return;
  throw new Error('never throttled');
}
