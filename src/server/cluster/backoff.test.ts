import { describe, expect, it } from 'vitest';
import { FIRST_RESTART_MS, MAX_RESTART_MS, RestartBackoff, STABLE_AFTER_MS } from './backoff.js';

describe('RestartBackoff', () => {
  it('doubles the wait for each crash soon after a restart, up to the cap', () => {
    const backoff = new RestartBackoff();
    const delays = Array.from({ length: 10 }, () => backoff.next(100));
    expect(delays.slice(0, 4)).toEqual([
      FIRST_RESTART_MS,
      FIRST_RESTART_MS * 2,
      FIRST_RESTART_MS * 4,
      FIRST_RESTART_MS * 8,
    ]);
    expect(Math.max(...delays)).toBe(MAX_RESTART_MS);
    expect(delays.at(-1)).toBe(MAX_RESTART_MS);
  });

  it('starts over after a worker that ran long enough to count as healthy', () => {
    const backoff = new RestartBackoff();
    for (let i = 0; i < 5; i++) backoff.next(10);
    expect(backoff.next(STABLE_AFTER_MS)).toBe(FIRST_RESTART_MS);
    expect(backoff.next(10)).toBe(FIRST_RESTART_MS * 2);
  });

  it('never overflows, however long a crash loop lasts', () => {
    const backoff = new RestartBackoff();
    for (let i = 0; i < 10_000; i++) expect(backoff.next(0)).toBeLessThanOrEqual(MAX_RESTART_MS);
  });
});
