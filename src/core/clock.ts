/** The one source of time. Everything that compares against "now" takes a Clock, so tests can move it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that only moves when told to: for tests of expiry, idle timeouts and throttles.
 *
 * @example
 * const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
 * clock.advance('15m');
 */
export class ManualClock implements Clock {
  constructor(private current: number = Date.now()) {}
  now(): number {
    return this.current;
  }
  set(ms: number): void {
    this.current = ms;
  }
  advance(by: number | string): void {
    this.current += typeof by === 'number' ? by : parseDuration(by) * 1000;
  }
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;

/**
 * Parses a lifetime once, at start-up: "15m", "7d", "1h", "30s", "2w" or a number of seconds.
 * Returns seconds. Throws a RangeError that says what is accepted.
 */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new RangeError(`expected a non-negative number of seconds, got ${value}`);
  }
  const m = DURATION.exec(value.trim());
  if (m) return Number(m[1]) * (UNITS[m[2] as string] as number);
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  throw new RangeError(
    `expected a duration like "30s", "15m", "1h", "7d", "2w" or seconds, got ${JSON.stringify(value)}`,
  );
}
