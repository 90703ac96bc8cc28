import { HashingBusy } from '../../core/errors.js';

// HashingBusy (code `hashing_busy`) is in the error catalogue, src/core/errors.ts.
export { HashingBusy };

/** Runs expensive async work with at most `maxConcurrent` at once and `maxQueued` waiting. */
export interface HashLimiter {
  /** Runs `task` when a slot is free; rejects with HashingBusy at once when the line is full. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now (for tests and metrics). */
  readonly active: number;
  /** Tasks waiting for a slot (for tests and metrics). */
  readonly queued: number;
}

/**
 * A FIFO semaphore. The native hashers run on libuv's thread pool (4 threads by default), so
 * allowing more than a few at once only makes every one of them slower and holds their memory
 * longer; the bounded line keeps the memory a burst can claim bounded too.
 *
 * @example
 * const limiter = createHashLimiter(4, 64);
 * const digest = await limiter.run(() => argon2.hash(password));
 *
 * `onWait` hears how long each task waited for its slot (0 when one was free): the metrics' view
 * of the pool.
 */
export function createHashLimiter(
  maxConcurrent: number,
  maxQueued: number,
  onWait?: (seconds: number) => void,
): HashLimiter {
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
    throw new RangeError(`maxConcurrentHashes must be an integer >= 1, got ${maxConcurrent}`);
  }
  if (!Number.isInteger(maxQueued) || maxQueued < 0) {
    throw new RangeError(`maxQueuedHashes must be an integer >= 0, got ${maxQueued}`);
  }
  let active = 0;
  const waiting: Array<() => void> = [];

  function release(): void {
    const next = waiting.shift();
    // Hand the slot straight to the next waiter, so `active` never dips and a newcomer cannot
    // overtake the line.
    if (next) next();
    else active--;
  }

  async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active < maxConcurrent) {
      active++;
      onWait?.(0);
    } else {
      if (waiting.length >= maxQueued) throw new HashingBusy();
      const queuedAt = performance.now();
      await new Promise<void>((resolve) => waiting.push(resolve));
      onWait?.((performance.now() - queuedAt) / 1000);
    }
    try {
      return await task();
    } finally {
      release();
    }
  }

  return {
    run,
    get active() {
      return active;
    },
    get queued() {
      return waiting.length;
    },
  };
}
