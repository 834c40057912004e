// Every call to MySQL or Redis is bounded: a dependency that stops answering turns into a
// prompt 503, never a request that hangs until the client gives up.
import { unavailable } from '@snapfleet/contracts';

/** How long one dependency call may take before the request fails with 503. */
export const DEPENDENCY_TIMEOUT_MS = 5_000;

/**
 * Resolves or rejects as `work` does, or rejects with `unavailable` after `ms`. The work is
 * not cancelled (neither driver can take back a sent command); its late outcome is ignored.
 */
export function withDeadline<T>(work: Promise<T>, what: string, ms = DEPENDENCY_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  // A late rejection of the abandoned work must not become an unhandled rejection.
  work.catch(() => undefined);
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
