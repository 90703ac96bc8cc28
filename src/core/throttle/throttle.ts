import { sha256Hex } from '../../crypto/random.js';
import type { Context } from '../context.js';
import { Throttled } from '../errors.js';
import type { AuthRequest } from '../request.js';
import type { Rate, ThrottleSettings } from '../settings/throttle.js';

/**
 * What is being throttled. `login` covers every endpoint that takes a username and password
 * (session login, API token obtain, JWT obtain), so an attacker cannot spread guesses over them.
 */
export type ThrottleScope =
  | 'login'
  | 'mfa'
  | 'challenge'
  | 'refresh'
  | 'register'
  | 'passwordChange'
  | 'email';

/** One attempt let through: report how it went, so failures back off and a success resets. */
export interface ThrottleGate {
  /**
   * A wrong password. The attempt already counted as a failure when it was let through (so
   * guesses in flight at once count), and took the block if it was the one that would start it.
   */
  fail(): Promise<void>;
  /** The right password: the back-off of this (ip, subject) starts over. */
  pass(): Promise<void>;
}

/** The throttle of one context: fixed windows and back-off, counted in the RateLimitStore. */
export interface Throttle {
  /**
   * Counts one attempt against the scope's per-ip rate and, with a subject (a username, a user
   * id), its per-(ip, subject) rate and back-off, after refusing an (ip, subject) that is backing
   * off. Throws Throttled (429 with Retry-After) before any password is hashed. Every attempt
   * counts as a failure until `pass()`: an attempt whose outcome is never reported (the hash
   * queue was full, the store failed) stays one.
   */
  attempt(req: AuthRequest, scope: ThrottleScope, subject?: string): Promise<ThrottleGate>;
  /**
   * Counts one mail to `address` against `throttle.emailAddress`, whoever asks for it; false when
   * over the rate. Never throws Throttled: the mail flows answer the same either way.
   */
  mailQuota(address: string): Promise<boolean>;
}

/** Consecutive failures are remembered this long after the first one (unless a success resets). */
const FAILURE_MEMORY_MS = 24 * 3600 * 1000;

const NO_GATE: ThrottleGate = { fail: async () => {}, pass: async () => {} };

interface ScopeRates {
  ip: Rate | null;
  subject: Rate | null;
  /** Whether failed passwords in this scope back off. */
  backoff: boolean;
}

function scopeRates(s: ThrottleSettings): Record<ThrottleScope, ScopeRates> {
  return {
    login: { ip: s.login, subject: s.loginUsername, backoff: true },
    // Second-factor codes are guessed like passwords: the same rates and back-off, counted apart.
    mfa: { ip: s.login, subject: s.loginUsername, backoff: true },
    challenge: { ip: s.challenge, subject: null, backoff: false },
    refresh: { ip: s.refresh, subject: null, backoff: false },
    register: { ip: s.register, subject: null, backoff: false },
    passwordChange: { ip: null, subject: s.passwordChange, backoff: true },
    email: { ip: s.email, subject: null, backoff: false },
  };
}

/**
 * Builds the throttle of a context (rates are parsed once, in the config); `createServices` makes
 * the one the schemes and routes share.
 *
 * @example
 * const throttle = createThrottle(ctx);
 * const gate = await throttle.attempt(req, 'login', username); // may throw Throttled
 * const user = await checkCredentials(ctx, username, password);
 * await (user ? gate.pass() : gate.fail());
 */
export function createThrottle(ctx: Context): Throttle {
  const settings = ctx.config.throttle;
  const rates = scopeRates(settings);
  const store = ctx.stores.rateLimits;
  const backoffOn = settings.backoffAfter > 0;

  /** Counts one hit; refuses when the window is over its limit. */
  const count = async (key: string, rate: Rate, now: number): Promise<void> => {
    const hit = await store.hit(key, rate.windowMs, now);
    if (hit.count > rate.limit) throw new Throttled((hit.resetAt - now) / 1000);
  };

  /** The wait after the n-th consecutive failure: doubling from the base, capped. */
  const delayMs = (failures: number): number => {
    const steps = Math.min(failures - settings.backoffAfter, 40);
    return Math.min(settings.backoffBase * 2 ** steps, settings.backoffMax) * 1000;
  };

  const backoffKey = (req: AuthRequest, scope: ThrottleScope, subject: string): string =>
    `throttle:${scope}:${ipKey(req.ip)}:${sha256Hex(subject)}`;

  /** While backing off, not even the right password gets through: that would be an oracle. */
  const refuseIfBlocked = async (base: string, now: number): Promise<void> => {
    const block = await store.peek(`${base}:block`, now);
    if (block) throw new Throttled((block.resetAt - now) / 1000);
  };

  /**
   * Counts the attempt as a failure before any hashing, so attempts sent together cannot all
   * slip in before the first failure is recorded. The first `backoffAfter - 1` consecutive ones
   * are free; the next takes the block window (an atomic hit: of attempts racing for it, one
   * wins) and, if it fails, the block stands; the others are refused while it lasts.
   */
  const countAttempt = async (base: string, now: number): Promise<ThrottleGate> => {
    const { count: n } = await store.hit(`${base}:fail`, FAILURE_MEMORY_MS, now);
    if (n >= settings.backoffAfter) {
      const taken = await store.hit(`${base}:block`, delayMs(n), now);
      // A fixed window: the refused ones do not extend it.
      if (taken.count > 1) throw new Throttled((taken.resetAt - now) / 1000);
    }
    return {
      fail: async () => {},
      async pass() {
        // Any attempt in flight beside this one may have taken the block: it goes too.
        await Promise.all([store.reset(`${base}:fail`), store.reset(`${base}:block`)]);
      },
    };
  };

  const attempt = async (req: AuthRequest, scope: ThrottleScope, subject?: string): Promise<ThrottleGate> => {
    const r = rates[scope];
    const now = ctx.clock.now();
    const base = subject !== undefined && r.backoff && backoffOn ? backoffKey(req, scope, subject) : null;
    if (base) await refuseIfBlocked(base, now);
    // The ip's window first: a spray over many usernames from one address stops here.
    if (r.ip) await count(`throttle:${scope}:${ipKey(req.ip)}`, r.ip, now);
    if (r.subject && subject !== undefined) {
      await count(`throttle:${scope}:${ipKey(req.ip)}:${sha256Hex(subject)}:n`, r.subject, now);
    }
    // Counted last, so an attempt the windows refused is not also a failure.
    return base ? countAttempt(base, now) : NO_GATE;
  };

  return {
    async attempt(req, scope, subject) {
      try {
        return await attempt(req, scope, subject);
      } catch (err) {
        if (err instanceof Throttled) ctx.metrics?.throttled(scope);
        throw err;
      }
    },
    async mailQuota(address) {
      const rate = settings.emailAddress;
      if (!rate) return true;
      const now = ctx.clock.now();
      const hit = await store.hit(
        `throttle:emailAddress:${sha256Hex(address.toLowerCase())}`,
        rate.windowMs,
        now,
      );
      return hit.count <= rate.limit;
    },
  };
}

/**
 * The part of a client address that identifies one client: an IPv4 address as is (also when
 * mapped into IPv6), an IPv6 address by its /64, since one host is routinely given a whole /64
 * and could otherwise step through 2^64 addresses to dodge a per-address limit.
 *
 * @example
 * ipKey('2001:db8:1:2:aaaa::1'); // '2001:db8:1:2::/64'
 */
export function ipKey(ip: string): string {
  if (!ip) return 'unknown';
  const bare = ip.split('%', 1)[0]!.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped) return mapped[1]!;
  if (!bare.includes(':')) return bare;
  const groups = expandIpv6(bare);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : bare;
}

/** The eight hextets of an IPv6 address (without leading zeros), or null when it is not one. */
function expandIpv6(ip: string): string[] | null {
  let text = ip;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return all.map((g) => Number.parseInt(g, 16).toString(16));
}
