// snapfleet's typed errors as gRPC statuses: the code from contracts' GRPC_STATUS, so
// containerd's errdefs.FromGRPC turns them back into NotFound / AlreadyExists /
// FailedPrecondition / InvalidArgument / Unavailable, and the error's message as details.
import { Metadata, type ServerErrorResponse } from '@grpc/grpc-js';
import { GRPC_STATUS, toSnapfleetError, type SnapfleetError } from '@snapfleet/contracts';

/** A status error for grpc-js; `cause` stays the original error for logs. */
export function toGrpcError(err: unknown, context?: string): ServerErrorResponse & { snapfleet: SnapfleetError } {
  const e = toSnapfleetError(err, context);
  const out = new Error(e.message) as ServerErrorResponse & { snapfleet: SnapfleetError };
  out.code = GRPC_STATUS[e.code];
  out.details = e.message;
  // A plain AlreadyExists and friends: containerd reads only the code and the message, but
  // other clients may want snapfleet's own code (e.g. aborted vs already_exists share nothing).
  const md = new Metadata();
  md.set('snapfleet-error-code', e.code);
  out.metadata = md;
  out.snapfleet = e;
  return out;
}
