// Turns what ioredis and BullMQ throw into typed errors: a Redis that cannot be reached is
// `unavailable` (503, retry later), anything else from the queue layer is `internal`.
import { SnapfleetError, toSnapfleetError, unavailable } from '@snapfleet/contracts';

const UNREACHABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|Connection is closed|Stream isn't writeable|MaxRetriesPerRequest|enableOfflineQueue|Connection is closing|LOADING|READONLY|CLUSTERDOWN/;

export function queueError(err: unknown, what: string): SnapfleetError {
  if (err instanceof SnapfleetError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : '';
  if (UNREACHABLE.test(message) || name === 'MaxRetriesPerRequestError') {
    return unavailable(`job queue (Redis) unreachable while ${what}: ${message}`);
  }
  return toSnapfleetError(err, `job queue error while ${what}`);
}
