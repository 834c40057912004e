// Small statistics helpers for the benchmarks: rates, percentiles, and a concurrency-limited
// loop that records per-iteration latency.
export interface RunStats {
  ops: number;
  seconds: number;
  rate: number;
  p50ms: number;
  p99ms: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? 0;
}

/**
 * Runs `total` iterations of `fn` with at most `concurrency` in flight. `finish`, when given,
 * is awaited before the clock stops: work the iterations left running in the background
 * (the snapshotter's deferred subvolume deletes) counts toward the rate.
 */
export async function runConcurrent(
  total: number,
  concurrency: number,
  fn: (i: number) => Promise<void>,
  finish?: () => Promise<void>,
): Promise<RunStats> {
  const latencies: number[] = [];
  let next = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const t0 = process.hrtime.bigint();
      await fn(i);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await finish?.();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  return { ops: total, seconds, rate: total / seconds, p50ms: percentile(latencies, 50), p99ms: percentile(latencies, 99) };
}

/** Runs `fn` once and appends how long it took, in ms, to `into`. */
export async function timed(into: number[], fn: () => Promise<unknown>): Promise<void> {
  const t0 = process.hrtime.bigint();
  await fn();
  into.push(Number(process.hrtime.bigint() - t0) / 1e6);
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
