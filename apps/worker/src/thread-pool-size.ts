// How many libuv threads the worker wants: see thread-pool.ts for why it matters.

export const DEFAULT_CONCURRENCY = 8;

/** max(4, 2 × concurrency), or undefined when UV_THREADPOOL_SIZE is already set by the operator. */
export function threadPoolSize(env: NodeJS.ProcessEnv): number | undefined {
  if (env.UV_THREADPOOL_SIZE) return undefined;
  // A bad value is reported by the config validation that follows; size for the default.
  const raw = Number(env.SNAPFLEET_WORKER_CONCURRENCY);
  const concurrency = Number.isInteger(raw) && raw >= 1 ? Math.min(raw, 256) : DEFAULT_CONCURRENCY;
  // libuv caps the pool at 1024 threads.
  return Math.min(1024, Math.max(4, 2 * concurrency));
}
