// Whether a job's op can skip the op-log lookup that makes retries idempotent: true only when
// no earlier run of its op id can have taken effect.
import type { Job } from 'bullmq';
import { isServerJobId } from '@snapfleet/contracts';

/**
 * No worker ran this job before (BullMQ counts starts, and a stalled job that comes back is
 * started again; failed attempts leave a count and a stack trace, which a manual retry keeps),
 * and its id was made by the API, so no op can have used the id before either.
 */
export function isFirstRun(job: Pick<Job, 'id' | 'attemptsStarted' | 'attemptsMade' | 'stacktrace'>): boolean {
  return job.id !== undefined && isServerJobId(job.id) && job.attemptsStarted <= 1 && job.attemptsMade === 0 && (job.stacktrace?.length ?? 0) === 0;
}
