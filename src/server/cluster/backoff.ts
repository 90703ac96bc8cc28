/** The first wait before a crashed worker is started again. */
export const FIRST_RESTART_MS = 250;
/** The longest wait: a worker that crashes at once keeps being retried, twice a minute. */
export const MAX_RESTART_MS = 30_000;
/** A worker that ran this long was healthy: its crash starts the back-off from the beginning. */
export const STABLE_AFTER_MS = 60_000;

/**
 * When to start a crashed worker again: at once after a crash of a worker that ran for a while,
 * doubling for each crash that follows soon after a restart, so a worker that dies on start-up
 * (a store gone, a bad deploy) is retried ever more slowly instead of spinning a core on forks.
 *
 * @example
 * const backoff = new RestartBackoff();
 * setTimeout(restart, backoff.next(ranForMs));
 */
export class RestartBackoff {
  #streak = 0;

  /** The delay before the next start of a worker that crashed after running `ranForMs`. */
  next(ranForMs: number): number {
    if (ranForMs >= STABLE_AFTER_MS) this.#streak = 0;
    const delay = Math.min(MAX_RESTART_MS, FIRST_RESTART_MS * 2 ** this.#streak);
    this.#streak = Math.min(this.#streak + 1, 30);
    return delay;
  }
}
