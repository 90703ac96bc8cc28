/** How long one sample of Redis's clock is trusted before the next spend takes a new one. */
export const CLOCK_RESAMPLE_MS = 10_000;

/**
 * Redis's clock (ms) as this process can tell it without asking on every call: `readTime` (one
 * TIME, routed like the spend) is sampled at most every CLOCK_RESAMPLE_MS, and in between Redis's
 * time is that sample moved on by this process's monotonic clock. So a refresh costs one round
 * trip, not two. The error is the sample's round-trip asymmetry and the clocks' drift over
 * seconds (milliseconds at most), far inside the lateness the spend script refuses (seconds); the
 * monotonic base means a step of this host's wall clock changes nothing. Concurrent callers share
 * one sample in flight.
 *
 * @example
 * const redisNow = sampledClock(async () => timeOf(await TIME.run(client, keys, [])));
 * const sent = await redisNow();
 */
export function sampledClock(
  readTime: () => Promise<number>,
  monotonic: () => number = () => performance.now(),
): () => Promise<number> {
  let sample: { offset: number; at: number } | null = null;
  let inFlight: Promise<number> | null = null;
  const resample = async (): Promise<number> => {
    const before = monotonic();
    const time = await readTime();
    const after = monotonic();
    // Redis read its clock somewhere in the round trip: the middle is the best guess.
    sample = { offset: time - (before + after) / 2, at: after };
    return time;
  };
  return () => {
    const now = monotonic();
    if (sample !== null && now - sample.at < CLOCK_RESAMPLE_MS) return Promise.resolve(now + sample.offset);
    inFlight ??= resample().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
}
