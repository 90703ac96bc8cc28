import { describe, expect, it } from 'vitest';
import { CLOCK_RESAMPLE_MS, sampledClock } from './clock.js';

/** A Redis clock 1,000,000 ms ahead of the monotonic one, answering after `rtt` ms of it. */
function fakeRedis(rtt: number) {
  let mono = 0;
  let reads = 0;
  const readTime = async (): Promise<number> => {
    reads++;
    mono += rtt / 2;
    const time = 1_000_000 + mono;
    mono += rtt / 2;
    return time;
  };
  return {
    readTime,
    monotonic: () => mono,
    advance: (ms: number) => {
      mono += ms;
    },
    reads: () => reads,
  };
}

describe('sampledClock', () => {
  it('reads Redis once, then tells its time from the monotonic clock until the sample is old', async () => {
    const redis = fakeRedis(2);
    const now = sampledClock(redis.readTime, redis.monotonic);
    expect(await now()).toBe(1_000_001);
    redis.advance(500);
    // The middle of the sampling round trip: exact when the trip is symmetric.
    expect(await now()).toBe(1_000_000 + redis.monotonic());
    expect(redis.reads()).toBe(1);
    redis.advance(CLOCK_RESAMPLE_MS);
    expect(await now()).toBe(1_000_000 + redis.monotonic() - 1);
    expect(redis.reads()).toBe(2);
  });

  it('shares one read among callers that come while it is in flight', async () => {
    const redis = fakeRedis(0);
    const now = sampledClock(redis.readTime, redis.monotonic);
    const times = await Promise.all([now(), now(), now()]);
    expect(new Set(times).size).toBe(1);
    expect(redis.reads()).toBe(1);
  });
});
