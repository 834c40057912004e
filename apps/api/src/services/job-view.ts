// How a BullMQ job looks through the API (contracts' JobView): its op, state, result or
// typed error, attempts and times.
import { decodeJobError, type JobState, type JobView, type OpName } from '@snapfleet/contracts';
import type { SnapfleetJob } from '../repositories/job-queue.repository';

export function toJobView(host: string, job: SnapfleetJob, state: JobState): JobView {
  const view: JobView = {
    id: job.id ?? '',
    host,
    op: job.name,
    state,
    attempts: job.attemptsMade,
    createdAt: new Date(job.timestamp).toISOString(),
  };
  if (state === 'completed') view.result = job.returnvalue;
  if (state === 'failed') view.error = decodeJobError(job.failedReason).toJSON();
  if (typeof job.progress === 'number' && job.progress >= 0 && job.progress <= 100) view.progress = job.progress;
  if (job.finishedOn !== undefined && (state === 'completed' || state === 'failed')) {
    view.finishedAt = new Date(job.finishedOn).toISOString();
  }
  return view;
}

/** A job BullMQ no longer holds, rebuilt from the result its op recorded in MySQL. */
export function recordedJobView(host: string, jobId: string, op: OpName, result: unknown, at: Date): JobView {
  const time = at.toISOString();
  return { id: jobId, host, op, state: 'completed', result, attempts: 1, createdAt: time, finishedAt: time };
}
