import { describe, it } from 'vitest';

/** The backends CI requires (GATEHOUSE_REQUIRE_BACKENDS): for them a skip becomes a failure. */
export const requiredBackends: ReadonlySet<string> = new Set(
  (process.env['GATEHOUSE_REQUIRE_BACKENDS'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/**
 * Reports a suite that cannot run here: a failing test when any of `backends` is required, else
 * a skipped suite whose title says why (and a warning on stderr).
 */
export function describeUnavailable(title: string, reason: string, backends: readonly string[]): void {
  if (backends.some((b) => requiredBackends.has(b))) {
    describe(title, () => {
      it('has what it needs (required by GATEHOUSE_REQUIRE_BACKENDS)', () => {
        throw new Error(`required but unavailable: ${reason}`);
      });
    });
    return;
  }
  console.warn(`skipping "${title}": ${reason}`);
  describe.skip(`${title} (skipped: ${reason})`, () => {
    it(`needs ${backends.join(' and ')}`, () => {});
  });
}
