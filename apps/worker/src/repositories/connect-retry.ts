// Bounded retries for the first connection to MySQL and Redis. A worker started a moment
// before its database (compose, systemd ordering) should wait a little; one pointed at a
// server that is not there should fail start-up with the reason, not hang.
import type { Logger } from '@snapfleet/contracts';

/** How long start-up keeps retrying a connection before giving up. */
export const CONNECT_DEADLINE_MS = 10_000;

export interface RetryOptions {
  deadlineMs?: number;
  delayMs?: number;
  log?: Logger;
  /** Whether an error may go away by waiting (default: every error). */
  transient?: (err: unknown) => boolean;
}

/** Socket-level failures: the server is down, starting, or unreachable — worth waiting for. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOENT', // a unix socket not created yet
  'PROTOCOL_CONNECTION_LOST',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
]);

/** True when `err` (or an error in its cause chain) is a network-level connection failure. */
export function isNetworkError(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  }
  return false;
}

/** Runs `connect` until it succeeds or `deadlineMs` has passed; then throws its last error, named. */
export async function connectWithRetry<T>(what: string, connect: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.deadlineMs ?? CONNECT_DEADLINE_MS);
  const delayMs = opts.delayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if ((opts.transient && !opts.transient(err)) || Date.now() + delayMs >= deadline) {
        throw new Error(`cannot connect to ${what} after ${attempt} attempts: ${reason}`, { cause: err });
      }
      opts.log?.warn({ attempt, reason }, `${what} not reachable yet; retrying`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
