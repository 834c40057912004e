// Sorting Redis failures: the ones worth waiting out (connection loss, failover, a loading
// replica) from the ones no retry fixes (a bug in a script, a closed client).
import { ExecutionError, ResourceLockedError } from '@sesamecare-oss/redlock';
import { ReplyError } from 'ioredis';
import type { RedisClient } from './acquire-script';

// Server replies that mean "not now" rather than "never": a node loading its dataset, a busy
// script, a resharding or failing-over cluster, a demoted primary.
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOREPLICAS|MOVED|ASK)\b/;

/** True when retrying the same command cannot help. */
export function isPermanentRedisError(err: unknown, client: RedisClient): boolean {
  if (client.status === 'end') return true; // closed for good: quit() or disconnect() was called
  return err instanceof ReplyError && !TRANSIENT_REPLY.test(errorMessage(err));
}

/**
 * The library reports an extension or release that found a key no longer ours as an
 * ExecutionError whose attempt was voted against with ResourceLockedError (and an extension
 * of a lock it already deems expired as an ExecutionError with no attempts). Anything else —
 * a connection error inside the vote — is a failure to reach Redis, not a verdict.
 */
export async function isOwnershipRefusal(err: unknown): Promise<boolean> {
  if (!(err instanceof ExecutionError)) return false;
  if (err.attempts.length === 0) return true;
  for (const attempt of err.attempts) {
    const stats = await attempt;
    for (const e of stats.votesAgainst.values()) if (e instanceof ResourceLockedError) return true;
  }
  return false;
}

/** The first underlying error of a library ExecutionError, for messages. */
export async function rootCause(err: unknown): Promise<unknown> {
  if (!(err instanceof ExecutionError)) return err;
  for (const attempt of err.attempts) {
    const stats = await attempt;
    for (const e of stats.votesAgainst.values()) return e;
  }
  return err;
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
