// Turns a failed btrfs call into a typed snapfleet error that names the host, the errno and
// the path, so "disk full on host b7" reads as such at the client.
import { SnapfleetError, type ErrorCode } from '@snapfleet/contracts';
import { isBtrfsError } from '@snapfleet/btrfs';

/** errnos that mean "this host cannot do it now", not "snapfleet has a bug". */
const UNAVAILABLE_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EBUSY', 'ENOMEM', 'EAGAIN']);

export function btrfsFailure(err: unknown, hostId: string, what: string): SnapfleetError {
  if (err instanceof SnapfleetError) return err;
  if (isBtrfsError(err)) {
    const code: ErrorCode = UNAVAILABLE_ERRNOS.has(err.code) ? 'unavailable' : 'internal';
    return new SnapfleetError(
      code,
      `host ${hostId}: ${what} failed: ${err.message}`,
      { host: hostId, errno: err.code, path: err.path },
      { cause: err },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new SnapfleetError('internal', `host ${hostId}: ${what} failed: ${message}`, { host: hostId }, { cause: err });
}
