import type { Bench } from 'tinybench';

/** Prints each task's mean and p99 time per call in µs: what the lookup benches compare. */
export function printLatencies(bench: Bench, digits = 2): void {
  const us = (ms: number | undefined) => (ms === undefined ? '?' : (ms * 1000).toFixed(digits));
  console.table(
    bench.tasks.map((t) => {
      const latency = t.result && 'latency' in t.result ? t.result.latency : undefined;
      return { task: t.name, 'µs/call (mean)': us(latency?.mean), 'µs/call (p99)': us(latency?.p99) };
    }),
  );
}
