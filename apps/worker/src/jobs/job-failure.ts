// How a failed op leaves the worker: BullMQ keeps only an Error's message as the job's
// failure reason, so the typed error travels encoded in it (contracts' encodeJobError), and
// the Error's class decides whether BullMQ retries. Semantic errors (not_found,
// failed_precondition, …) would fail the same way again: UnrecoverableError, no retry.
// Transient ones (unavailable, aborted, internal) are plain Errors, retried with the
// backoff jobOptionsFor sets.
import { UnrecoverableError } from 'bullmq';
import { encodeJobError, isRetryable, toSnapfleetError } from '@snapfleet/contracts';

export function toJobFailure(err: unknown): Error {
  const typed = toSnapfleetError(err);
  const reason = encodeJobError(typed);
  if (isRetryable(typed.code)) return new Error(reason, { cause: err });
  const unrecoverable = new UnrecoverableError(reason);
  unrecoverable.cause = err;
  return unrecoverable;
}
