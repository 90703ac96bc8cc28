/**
 * At most `limit` takes in any window of `windowMs` (a sliding window over the instants of the
 * last `limit` takes). Bounds what clients can make gatehouse fetch: a token naming a kid we do
 * not hold costs the issuer a request, and an attacker can mint such tokens for free.
 *
 * @example
 * const budget = new FetchBudget(10, 60_000, () => clock.now());
 * if (budget.take()) await fetchJwks(url);
 */
export class FetchBudget {
  /** When each of the last takes happened, oldest first; never longer than `limit`. */
  private readonly taken: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Spends one fetch if the window has one left; false (nothing spent) when it has none. */
  take(): boolean {
    const now = this.now();
    while (this.taken.length > 0 && now - this.taken[0]! >= this.windowMs) this.taken.shift();
    if (this.taken.length >= this.limit) return false;
    this.taken.push(now);
    return true;
  }
}
